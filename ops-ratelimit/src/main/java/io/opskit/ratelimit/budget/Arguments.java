package io.opskit.ratelimit.budget;

import io.opskit.api.budget.BudgetKey;
import java.time.Instant;
import java.util.Objects;

/** Argument checks shared by the stores, so every store refuses bad input with the same words. */
final class Arguments {

    static final int MAX_RESERVATION_ID = 64;

    private Arguments() {
    }

    static void checkReserve(BudgetKey key, String reservationId, long amountMicros, long limitMicros,
                             Instant now, Instant leaseUntil) {
        Objects.requireNonNull(key, "key");
        checkId(reservationId);
        checkMicros("amountMicros", amountMicros);
        checkMicros("limitMicros", limitMicros);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (!leaseUntil.isAfter(now)) {
            throw new IllegalArgumentException("leaseUntil must be after now (" + now + "): " + leaseUntil);
        }
    }

    static void checkId(String reservationId) {
        Objects.requireNonNull(reservationId, "reservationId");
        if (reservationId.isEmpty() || reservationId.length() > MAX_RESERVATION_ID
                || reservationId.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "reservationId must be 1 to " + MAX_RESERVATION_ID + " printable characters: '"
                            + reservationId + "'");
        }
    }

    static void checkMicros(String field, long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException(field + " must be zero or more: " + micros);
        }
    }
}
