package io.opskit.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads how long a provider asked the client to wait from response headers: {@code retry-after-ms}
 * (milliseconds, sent by OpenAI and Azure OpenAI) first, then {@code Retry-After} as delta-seconds
 * or an HTTP-date (RFC 9110). Thread-safe and stateless.
 */
public final class RetryAfter {

    /** The longest wait honoured; a longer one is capped, since a typo must not pause for days. */
    public static final Duration MAX = Duration.ofHours(1);

    private RetryAfter() {
    }

    /**
     * Parses the wait from headers.
     *
     * @param headers header lookup by case-insensitive name, e.g. {@code HttpHeaders::firstValue}
     * @param now     the current time, for an HTTP-date
     * @return the wait, zero or more and at most {@link #MAX}; empty when no header is present or
     *         none parses
     */
    public static Optional<Duration> parse(Function<String, Optional<String>> headers, Instant now) {
        Optional<String> ms = headers.apply("retry-after-ms");
        if (ms.isPresent()) {
            Optional<Duration> d = parseMillis(ms.get());
            if (d.isPresent()) {
                return d;
            }
        }
        return headers.apply("Retry-After").flatMap(v -> parseRetryAfter(v, now));
    }

    /**
     * Parses a {@code Retry-After} value: delta-seconds ({@code "120"}) or an HTTP-date
     * ({@code "Sat, 21 Nov 2026 06:00:00 GMT"}). A date in the past gives zero.
     *
     * @return the wait, capped at {@link #MAX}; empty when the value is neither form
     */
    public static Optional<Duration> parseRetryAfter(String value, Instant now) {
        String v = value.trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            if (v.length() > 9) {
                return Optional.of(MAX);
            }
            return Optional.of(cap(Duration.ofSeconds(Long.parseLong(v))));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : cap(d));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses a {@code retry-after-ms} value (a non-negative integer or decimal number of milliseconds).
     *
     * @return the wait, capped at {@link #MAX}; empty when not a number
     */
    public static Optional<Duration> parseMillis(String value) {
        String v = value.trim();
        try {
            double ms = Double.parseDouble(v);
            if (!(ms >= 0) || Double.isInfinite(ms) || v.startsWith("+")) {
                return Optional.empty();
            }
            if (ms > MAX.toMillis()) {
                return Optional.of(MAX);
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil(ms * 1_000_000d)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Duration cap(Duration d) {
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
