package io.opskit.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters an operator watches for attacks and leaks, with bounded tags only (never a user name, a
 * token, an address or a path):
 * <ul>
 *   <li>{@value #AUTHENTICATION_FAILURES} (Prometheus {@code security_authentication_failures_total}),
 *       tagged {@code reason} ({@link AuthFailure#wireName()}): failed logins, told by the host's login
 *       code through {@link #loginFailed(AuthFailure)};</li>
 *   <li>{@value #UNAUTHORIZED_REQUESTS} ({@code security_unauthorized_requests_total}), tagged
 *       {@code reason} ({@link Denial#wireName()}): requests answered 401 or 403, counted by the request
 *       filters once this object is a {@linkplain RequestMetrics.Builder#listener(RequestListener)
 *       listener} of their {@link RequestMetrics};</li>
 *   <li>{@value #EXPORT_BYTES} ({@code security_export_bytes_total}), tagged {@code export}: bytes a
 *       host sent out through a bulk export (a CSV download, a backup download, an API dump), told
 *       through {@link #exported(String, long)}; the names are those given to
 *       {@link Builder#export(String)}, anything else is {@value #OTHER_EXPORT}.</li>
 * </ul>
 * Every counter of this known label set is registered at zero by {@link Builder#build()}, so
 * Prometheus' {@code increase()} sees the first failure. {@link SecurityAlerts} turns them into
 * alerting rules. A login the host's code answers 401 counts twice, once in each counter: one counts
 * login attempts, the other HTTP answers.
 *
 * <p>Thread-safe; recording is lock-free and allocates nothing.
 */
public final class SecuritySignals implements RequestListener {

    /** Failed authentication attempts. */
    public static final String AUTHENTICATION_FAILURES = "security.authentication.failures";
    /** Requests answered 401 or 403. */
    public static final String UNAUTHORIZED_REQUESTS = "security.unauthorized.requests";
    /** Bytes sent out through bulk exports. */
    public static final String EXPORT_BYTES = "security.export.bytes";
    /** The {@code export} tag value of an export name not given to {@link Builder#export(String)}. */
    public static final String OTHER_EXPORT = "other";

    private static final Pattern EXPORT_NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,62}");
    private static final Logger log = LoggerFactory.getLogger(SecuritySignals.class);

    /** Why an authentication attempt failed. The wire name is the {@code reason} tag value. */
    public enum AuthFailure {
        /** The secret (password, key) did not match. */
        BAD_CREDENTIALS("bad_credentials"),
        /** No such account. */
        UNKNOWN_ACCOUNT("unknown_account"),
        /** The account is locked, for example after too many failures. */
        ACCOUNT_LOCKED("account_locked"),
        /** The account is disabled. */
        ACCOUNT_DISABLED("account_disabled"),
        /** The password, token or session has expired. */
        EXPIRED_CREDENTIALS("expired_credentials"),
        /** A token that does not verify (bad signature, malformed, revoked). */
        INVALID_TOKEN("invalid_token"),
        /** The attempt carried no credentials at all. */
        MISSING_CREDENTIALS("missing_credentials"),
        /** The second factor (one-time code, key) failed. */
        SECOND_FACTOR_FAILED("second_factor_failed"),
        /** Any other reason. */
        OTHER("other");

        private final String wireName;

        AuthFailure(String wireName) {
            this.wireName = wireName;
        }

        /** The stable tag value. */
        public String wireName() {
            return wireName;
        }
    }

    /** Why a request was refused, from its status. The wire name is the {@code reason} tag value. */
    public enum Denial {
        /** 401: the request had no valid credentials. */
        UNAUTHENTICATED("unauthenticated"),
        /** 403: the caller is known but not allowed. */
        FORBIDDEN("forbidden");

        private final String wireName;

        Denial(String wireName) {
            this.wireName = wireName;
        }

        /** The stable tag value. */
        public String wireName() {
            return wireName;
        }
    }

    private final EnumMap<AuthFailure, Counter> failures = new EnumMap<>(AuthFailure.class);
    private final Counter unauthenticated;
    private final Counter forbidden;
    private final Map<String, Counter> exports = new LinkedHashMap<>();
    private final Counter otherExport;
    private volatile boolean unknownExportWarned;

    private SecuritySignals(Builder b) {
        MeterRegistry registry = b.registry != null ? b.registry : new CompositeMeterRegistry();
        String prefix = b.prefix;
        for (AuthFailure reason : AuthFailure.values()) {
            failures.put(reason, Counter.builder(MetricPrefix.meter(prefix, AUTHENTICATION_FAILURES))
                    .description("Failed authentication attempts, by reason")
                    .tag("reason", reason.wireName()).register(registry));
        }
        this.unauthenticated = denial(registry, prefix, Denial.UNAUTHENTICATED);
        this.forbidden = denial(registry, prefix, Denial.FORBIDDEN);
        for (String name : b.exports) {
            exports.put(name, export(registry, prefix, name));
        }
        this.otherExport = export(registry, prefix, OTHER_EXPORT);
    }

    private static Counter denial(MeterRegistry registry, @Nullable String prefix, Denial reason) {
        return Counter.builder(MetricPrefix.meter(prefix, UNAUTHORIZED_REQUESTS))
                .description("Requests answered 401 or 403, by reason")
                .tag("reason", reason.wireName()).register(registry);
    }

    private static Counter export(MeterRegistry registry, @Nullable String prefix, String name) {
        return Counter.builder(MetricPrefix.meter(prefix, EXPORT_BYTES))
                .description("Bytes sent out through bulk exports, by export")
                .baseUnit("bytes").tag("export", name).register(registry);
    }

    /** A builder; give it a registry with {@link Builder#meterRegistry(MeterRegistry)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Counts one failed authentication attempt. Call it from the login code, with the reason only:
     * the user name or token never reaches a metric.
     *
     * @throws NullPointerException when {@code reason} is null
     */
    public void loginFailed(AuthFailure reason) {
        Objects.requireNonNull(failures.get(Objects.requireNonNull(reason, "reason"))).increment();
    }

    /**
     * Counts one request refused with {@code reason}. The request filters do this for every 401 and
     * 403 answer once this object listens to their {@link RequestMetrics}; call it only for refusals
     * that do not pass through them.
     *
     * @throws NullPointerException when {@code reason} is null
     */
    public void requestDenied(Denial reason) {
        Objects.requireNonNull(reason, "reason");
        (reason == Denial.UNAUTHENTICATED ? unauthenticated : forbidden).increment();
    }

    /**
     * Counts {@code bytes} sent out through the export {@code export}.
     *
     * @param export a name given to {@link Builder#export(String)}; any other is counted as
     *               {@value #OTHER_EXPORT} (and warned about once), so a name built from user input
     *               cannot grow the series count
     * @param bytes  the bytes written, zero or more
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public void exported(String export, long bytes) {
        Objects.requireNonNull(export, "export");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        Counter counter = exports.get(export);
        if (counter == null) {
            counter = otherExport;
            if (!unknownExportWarned) {
                unknownExportWarned = true;
                log.warn("security signals: an export name not declared with SecuritySignals.Builder.export(...) "
                        + "was counted as '{}'", OTHER_EXPORT);
            }
        }
        counter.increment((double) bytes);
    }

    /** The export names given to the builder, in order. */
    public Set<String> exports() {
        return Set.copyOf(exports.keySet());
    }

    /** Counts 401 and 403 answers; every other request is ignored. */
    @Override
    public void onRequest(String method, String route, int status, boolean failed, boolean refused,
                          long durationNanos) {
        if (status == 401) {
            unauthenticated.increment();
        } else if (status == 403) {
            forbidden.increment();
        }
    }

    /** Set-once configuration of {@link SecuritySignals}; validated as set. Not thread-safe. */
    public static final class Builder {
        private @Nullable MeterRegistry registry;
        private @Nullable String prefix;
        private final Set<String> exports = new LinkedHashSet<>();

        private Builder() {
        }

        /**
         * The registry to record into; without one nothing is recorded.
         *
         * @throws IllegalStateException when already set
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = io.opskit.api.internal.Checks.setOnce(this.registry, registry, "meterRegistry");
            return this;
        }

        /**
         * Declares an export name ({@code customers-csv}); repeatable. Only declared names become tag
         * values.
         *
         * @throws IllegalArgumentException when the name is not 1 to 63 lower-case letters, digits,
         *                                  {@code _ . -} starting with a letter, is {@value #OTHER_EXPORT},
         *                                  or was already declared
         */
        public Builder export(String name) {
            Objects.requireNonNull(name, "export");
            if (!EXPORT_NAME.matcher(name).matches() || name.equals(OTHER_EXPORT)) {
                throw new IllegalArgumentException("export must be lower-case letters, digits, '_', '.' or '-', "
                        + "starting with a letter, and not '" + OTHER_EXPORT + "': '" + name + "'");
            }
            if (!exports.add(name)) {
                throw new IllegalArgumentException("export was already declared: '" + name + "'");
            }
            return this;
        }

        /**
         * A prefix for these meters' names: {@code chatbot} makes {@code chatbot.security.export.bytes}
         * ({@code chatbot_security_export_bytes_total}). Give {@link MetricsExport.Builder#metricPrefix(String)}
         * the same prefix so that the generated rules read them.
         *
         * @throws IllegalArgumentException when not 1 to 32 lower-case letters, digits and {@code _}
         *                                  starting with a letter
         * @throws IllegalStateException    when already set
         */
        public Builder metricPrefix(String prefix) {
            this.prefix = MetricPrefix.check(prefix, this.prefix);
            return this;
        }

        /** Builds the signals and registers every counter at zero. */
        public SecuritySignals build() {
            return new SecuritySignals(this);
        }
    }
}
