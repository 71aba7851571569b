package io.opskit.health;

import io.opskit.api.health.Probe;
import io.opskit.api.internal.Checks;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
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

    /** The longest timeout (and background interval) a check may have: one day. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** The longest a result may be cached: one day. */
    public static final Duration MAX_CACHE_TTL = Duration.ofDays(1);
    /** The shortest background interval: 100 ms (shorter is a busy loop, not a health check). */
    public static final Duration MIN_BACKGROUND_INTERVAL = Duration.ofMillis(100);
    /** The longest maximum staleness of a background result: 7 days. */
    public static final Duration MAX_STALENESS = Duration.ofDays(7);
    /** The most retries of a background run: 10. */
    public static final int MAX_RETRIES = 10;

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
     * @throws NullPointerException     naming {@code probes[i]} when a probe is null
     */
    public CheckOptions inGroups(Probe... probes) {
        Objects.requireNonNull(probes, "probes");
        String[] names = new String[probes.length];
        for (int i = 0; i < probes.length; i++) {
            names[i] = Objects.requireNonNull(probes[i], "probes[" + i + "]").groupName();
        }
        return inGroups(names);
    }

    /**
     * A copy in the given groups (replacing the groups): {@code liveness}, {@code readiness},
     * {@code startup} or custom names of lowercase letters, digits, {@code . _ -} (at most 64).
     *
     * @throws IllegalArgumentException when no group is given or a name is not valid
     * @throws NullPointerException     naming {@code groupNames[i]} when a name is null
     */
    public CheckOptions inGroups(String... groupNames) {
        Objects.requireNonNull(groupNames, "groupNames");
        if (groupNames.length == 0) {
            throw new IllegalArgumentException("groups must not be empty: []");
        }
        Set<String> copy = new LinkedHashSet<>();
        for (int i = 0; i < groupNames.length; i++) {
            String group = Objects.requireNonNull(groupNames[i], "groupNames[" + i + "]");
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
     * @throws IllegalArgumentException when not positive or longer than {@link #MAX_TIMEOUT} (one day)
     */
    public CheckOptions withTimeout(Duration value) {
        return new CheckOptions(groups, critical, Checks.requirePositive(value, "timeout", MAX_TIMEOUT), cacheTtl,
                background);
    }

    /**
     * A copy whose completed results are reused for {@code ttl}; zero turns caching off. Results
     * that timed out, and late results of runs that timed out, are never cached.
     *
     * @throws IllegalArgumentException when negative or longer than {@link #MAX_CACHE_TTL} (one day)
     */
    public CheckOptions cacheFor(Duration ttl) {
        Checks.requireNonNegative(ttl, "cacheTtl");
        if (ttl.compareTo(MAX_CACHE_TTL) > 0) {
            throw new IllegalArgumentException("cacheTtl must be at most " + MAX_CACHE_TTL + ": " + ttl);
        }
        return new CheckOptions(groups, critical, timeout, ttl, background);
    }

    /**
     * A copy that runs in the background every {@code interval} instead of on request. A run whose
     * result is DOWN is retried up to {@code retries} more times before the next interval, after
     * 100 ms, 200 ms, 400 ms, ... (never longer than the interval). The first result is stored as
     * soon as it is known, so a check whose first run failed reads as that failure, not as "no
     * result yet". Requests read the stored result; once it is older than {@code maxStaleness} it
     * reads as DOWN with {@code stale: true}. A typical uptime monitor uses 5 minutes and 3 retries.
     *
     * @throws IllegalArgumentException when {@code interval} is shorter than
     *         {@link #MIN_BACKGROUND_INTERVAL} (100 ms) or longer than one day, {@code retries} is
     *         negative or above {@link #MAX_RETRIES} (10), or {@code maxStaleness} is shorter than
     *         {@code interval} or longer than {@link #MAX_STALENESS} (7 days)
     */
    public CheckOptions inBackground(Duration interval, int retries, Duration maxStaleness) {
        Checks.requirePositive(interval, "interval", MAX_TIMEOUT);
        if (interval.compareTo(MIN_BACKGROUND_INTERVAL) < 0) {
            throw new IllegalArgumentException("interval must be at least " + MIN_BACKGROUND_INTERVAL + ": " + interval);
        }
        Checks.requirePositive(maxStaleness, "maxStaleness", MAX_STALENESS);
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("retries must be between 0 and " + MAX_RETRIES + ": " + retries);
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

    /** The check's own timeout; empty to use the engine's default. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** How long a completed result is reused; zero when caching is off. */
    public Duration cacheTtl() {
        return cacheTtl;
    }

    /** The background schedule; empty when the check runs on request. */
    public Optional<Background> background() {
        return Optional.ofNullable(background);
    }

    @Override
    public String toString() {
        return "CheckOptions{groups=" + groups + ", critical=" + critical + ", timeout=" + timeout
                + ", cacheTtl=" + cacheTtl + ", background=" + background + '}';
    }

    /**
     * A background schedule.
     *
     * @param interval     time between the end of one run and the start of the next
     * @param retries      extra attempts after a DOWN result, with a doubling delay from 100 ms
     * @param maxStaleness age after which the stored result reads as DOWN
     */
    public record Background(Duration interval, int retries, Duration maxStaleness) {
    }
}
