package io.opskit.health;

import io.opskit.api.health.Probe;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How one registered check runs: its groups, whether it is critical, its timeout, how long its
 * result may be reused, and whether it runs in the background on its own schedule.
 *
 * <p>Start from {@link #defaults()} (group {@code readiness}, critical, the engine's default
 * timeout, no caching, run on request) and derive copies with the {@code with...}/{@code in...}
 * methods. Each method validates its argument and throws {@link IllegalArgumentException} whose
 * message names the field and the value. Instances are immutable and thread-safe.
 */
public final class CheckOptions {

    private static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final CheckOptions DEFAULTS =
            new CheckOptions(Set.of(Probe.READINESS.groupName()), true, null, Duration.ZERO, null);

    private final Set<String> groups;
    private final boolean critical;
    private final @Nullable Duration timeout;
    private final Duration cacheTtl;
    private final @Nullable Background background;

    private CheckOptions(Set<String> groups, boolean critical, @Nullable Duration timeout, Duration cacheTtl,
                         @Nullable Background background) {
        this.groups = groups;
        this.critical = critical;
        this.timeout = timeout;
        this.cacheTtl = cacheTtl;
        this.background = background;
    }

    /** Group {@code readiness}, critical, the engine's default timeout, no caching, run on request. */
    public static CheckOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A copy that serves the given probes (replacing the groups).
     *
     * @throws IllegalArgumentException when no probe is given
     */
    public CheckOptions inGroups(Probe... probes) {
        Objects.requireNonNull(probes, "probes");
        return inGroups(Arrays.stream(probes).map(Probe::groupName).toArray(String[]::new));
    }

    /**
     * A copy in the given groups (replacing the groups): {@code liveness}, {@code readiness},
     * {@code startup} or custom names of lowercase letters, digits, {@code . _ -} (at most 64).
     *
     * @throws IllegalArgumentException when no group is given or a name is not valid
     */
    public CheckOptions inGroups(String... groupNames) {
        Objects.requireNonNull(groupNames, "groupNames");
        if (groupNames.length == 0) {
            throw new IllegalArgumentException("groups must not be empty: []");
        }
        Set<String> copy = new LinkedHashSet<>();
        for (String group : groupNames) {
            Objects.requireNonNull(group, "group");
            if (!GROUP_NAME.matcher(group).matches()) {
                throw new IllegalArgumentException(
                        "group must be lowercase letters, digits, '.', '_' or '-' (at most 64): '" + group + "'");
            }
            copy.add(group);
        }
        return new CheckOptions(Set.copyOf(copy), critical, timeout, cacheTtl, background);
    }

    /**
     * A copy that is critical ({@code true}: a failure makes the aggregate fail) or not
     * ({@code false}: a failure only makes the aggregate {@code DEGRADED}).
     */
    public CheckOptions critical(boolean value) {
        return new CheckOptions(groups, value, timeout, cacheTtl, background);
    }

    /**
     * A copy with its own timeout, measured from when a run is submitted.
     *
     * @throws IllegalArgumentException when not positive
     */
    public CheckOptions withTimeout(Duration value) {
        return new CheckOptions(groups, critical, positive("timeout", value), cacheTtl, background);
    }

    /**
     * A copy whose completed results are reused for {@code ttl} (Caffeine-backed); zero turns
     * caching off. Timed-out results are never cached.
     *
     * @throws IllegalArgumentException when negative
     */
    public CheckOptions cacheFor(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("cacheTtl must not be negative: " + ttl);
        }
        return new CheckOptions(groups, critical, timeout, ttl, background);
    }

    /**
     * A copy that runs in the background every {@code interval} instead of on request. A run whose
     * result is DOWN is retried up to {@code retries} more times before it is stored. Requests read
     * the stored result; once it is older than {@code maxStaleness} it reads as DOWN with
     * {@code stale: true}. The FeedForward manual's monitor uses 5 minutes, 30 s timeout, 3 retries.
     *
     * @throws IllegalArgumentException when {@code interval} or {@code maxStaleness} is not
     *         positive, {@code retries} is negative, or {@code maxStaleness} is shorter than
     *         {@code interval}
     */
    public CheckOptions inBackground(Duration interval, int retries, Duration maxStaleness) {
        positive("interval", interval);
        positive("maxStaleness", maxStaleness);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative: " + retries);
        }
        if (maxStaleness.compareTo(interval) < 0) {
            throw new IllegalArgumentException(
                    "maxStaleness must be at least the interval " + interval + ": " + maxStaleness);
        }
        return new CheckOptions(groups, critical, timeout, cacheTtl, new Background(interval, retries, maxStaleness));
    }

    /** The groups this check serves; never empty. */
    public Set<String> groups() {
        return groups;
    }

    /** True when a failure of this check fails the aggregate. */
    public boolean critical() {
        return critical;
    }

    /** The check's own timeout, or null to use the engine's default. */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** How long a completed result is reused; zero when caching is off. */
    public Duration cacheTtl() {
        return cacheTtl;
    }

    /** The background schedule, or null when the check runs on request. */
    public @Nullable Background background() {
        return background;
    }

    @Override
    public String toString() {
        return "CheckOptions{groups=" + groups + ", critical=" + critical + ", timeout=" + timeout
                + ", cacheTtl=" + cacheTtl + ", background=" + background + '}';
    }

    private static Duration positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive: " + value);
        }
        return value;
    }

    /**
     * A background schedule.
     *
     * @param interval     time between the end of one run and the start of the next
     * @param retries      extra attempts after a DOWN result, one after another
     * @param maxStaleness age after which the stored result reads as DOWN
     */
    public record Background(Duration interval, int retries, Duration maxStaleness) {
    }
}
