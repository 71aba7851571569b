package io.opskit.health;

import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Who may see per-check results. Without details a caller sees only the aggregate status (and the
 * HTTP status code). Immutable and thread-safe if the predicate is.
 */
public final class DetailsPolicy {

    private static final DetailsPolicy NEVER = new DetailsPolicy(header -> false, "never");
    private static final DetailsPolicy ALWAYS = new DetailsPolicy(header -> true, "always");

    private final Predicate<@Nullable String> authorized;
    private final String description;

    private DetailsPolicy(Predicate<@Nullable String> authorized, String description) {
        this.authorized = authorized;
        this.description = description;
    }

    /** Nobody sees details. */
    public static DetailsPolicy never() {
        return NEVER;
    }

    /** Everybody sees details (only on a trusted network). */
    public static DetailsPolicy always() {
        return ALWAYS;
    }

    /**
     * Details only for callers the host authorizes, judged on the request's {@code Authorization}
     * header (null when absent). A predicate that throws counts as "not authorized".
     *
     * @param authorized the host's check, for example a constant-time bearer-token comparison
     */
    public static DetailsPolicy whenAuthorized(Predicate<@Nullable String> authorized) {
        return new DetailsPolicy(Objects.requireNonNull(authorized, "authorized"), "whenAuthorized");
    }

    /**
     * Whether a caller with this {@code Authorization} header may see details.
     *
     * @param authorizationHeader the header's value, or null when absent
     */
    public boolean allows(@Nullable String authorizationHeader) {
        try {
            return authorized.test(authorizationHeader);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "DetailsPolicy{" + description + '}';
    }
}
