package io.opskit.metrics;

import io.opskit.api.internal.ByteSize;
import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Alerting rules over the {@link SecuritySignals} counters, written by
 * {@link MetricsExport.Builder#securityAlerts(SecurityAlerts)} into the service's rule group beside
 * the SLO rules and the {@link AlertPack}, with the same service selector:
 * <ul>
 *   <li>{@value #HIGH_FAILED_LOGIN_RATE}: failed logins per minute, over 5 minutes, above the
 *       threshold (a password-guessing run);</li>
 *   <li>{@value #HIGH_UNAUTHORIZED_REQUEST_RATE}: requests answered 401 or 403 per minute, over 5
 *       minutes, above the threshold (a scan, or a client whose credentials expired);</li>
 *   <li>{@value #HIGH_EXPORT_VOLUME}: bytes sent out through one export over the last hour above the
 *       threshold (a leak, or a scraper with a valid account); the alert names the export.</li>
 * </ul>
 * Each rule is opt-in, may be added once per severity, compares strictly ({@code >}: exactly the
 * threshold stays silent), and carries {@code severity}, {@code summary}, {@code description} and
 * {@code runbook_url} ({@link AlertPack#DEFAULT_RUNBOOK_URL} unless {@link Builder#runbookUrl(String)}
 * says otherwise). Immutable and thread-safe.
 */
public final class SecurityAlerts {

    /** Failed logins per minute above the threshold. */
    public static final String HIGH_FAILED_LOGIN_RATE = "HighFailedLoginRate";
    /** 401 and 403 answers per minute above the threshold. */
    public static final String HIGH_UNAUTHORIZED_REQUEST_RATE = "HighUnauthorizedRequestRate";
    /** Bytes exported through one export over an hour above the threshold. */
    public static final String HIGH_EXPORT_VOLUME = "HighExportVolume";

    static final String FAILURES_SERIES = "security_authentication_failures_total";
    static final String UNAUTHORIZED_SERIES = "security_unauthorized_requests_total";
    static final String EXPORT_SERIES = "security_export_bytes_total";

    private enum Kind {
        FAILED_LOGINS(HIGH_FAILED_LOGIN_RATE, FAILURES_SERIES),
        UNAUTHORIZED(HIGH_UNAUTHORIZED_REQUEST_RATE, UNAUTHORIZED_SERIES),
        EXPORT(HIGH_EXPORT_VOLUME, EXPORT_SERIES);

        final String alert;
        final String series;

        Kind(String alert, String series) {
            this.alert = alert;
            this.series = series;
        }
    }

    private record Choice(Kind kind, double threshold, Duration forDuration, Severity severity) {
    }

    private final List<Choice> choices;
    private final String runbookTemplate;

    private SecurityAlerts(Builder b) {
        this.choices = List.copyOf(b.choices);
        this.runbookTemplate = b.runbookTemplate != null ? b.runbookTemplate : AlertPack.DEFAULT_RUNBOOK_URL;
    }

    /** A builder with no rule chosen. */
    public static Builder builder() {
        return new Builder();
    }

    /** The names of the chosen alerts, in the order chosen, each once. */
    public List<String> alertNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Choice c : choices) {
            names.add(c.kind.alert);
        }
        return List.copyOf(names);
    }

    /**
     * The chosen rules for a service.
     *
     * @param selector the service's label matchers without braces
     * @param by       the labels the service's series are aggregated by
     */
    List<AlertPack.Rendered> render(String selector, String by) {
        List<AlertPack.Rendered> out = new ArrayList<>();
        for (Choice c : choices) {
            String series = c.kind.series + "{" + selector + "}";
            String forText = c.forDuration.isZero() ? "" : " for " + MetricsExport.promDuration(c.forDuration);
            String t = MetricsExport.number(c.threshold);
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("severity", c.severity.name().toLowerCase(Locale.ROOT));
            String expr;
            String summary;
            String description;
            switch (c.kind) {
                case FAILED_LOGINS -> {
                    expr = "sum by (" + by + ") (rate(" + series + "[5m])) * 60 > " + t;
                    summary = "Many failed logins at {{ $labels.job }}";
                    description = "{{ $value | printf \"%.1f\" }} failed logins per minute over 5m, above " + t
                            + " per minute" + forText + ": password guessing, or a client with a stale password.";
                }
                case UNAUTHORIZED -> {
                    expr = "sum by (" + by + ") (rate(" + series + "[5m])) * 60 > " + t;
                    summary = "Many requests refused with 401 or 403 at {{ $labels.job }}";
                    description = "{{ $value | printf \"%.1f\" }} requests per minute were answered 401 or 403 over 5m, "
                            + "above " + t + " per minute" + forText + ": a scan, or a client whose credentials expired.";
                }
                case EXPORT -> {
                    expr = "sum by (" + by + ", export) (increase(" + series + "[1h])) > " + t;
                    summary = "Export {{ $labels.export }} of {{ $labels.job }} sent out a lot of data";
                    description = "{{ $value | humanize1024 }}B went out through {{ $labels.export }} in the last hour, "
                            + "above " + ByteSize.format((long) c.threshold) + forText + ".";
                }
                default -> throw new AssertionError(c.kind);
            }
            out.add(new AlertPack.Rendered(c.kind.alert, expr, c.forDuration, labels, summary, description,
                    runbookTemplate.replace("{alert}", c.kind.alert.toLowerCase(Locale.ROOT))));
        }
        return out;
    }

    @Override
    public String toString() {
        return "SecurityAlerts" + alertNames();
    }

    /** Configuration of {@link SecurityAlerts}; validated as set. Not thread-safe. */
    public static final class Builder {
        private final List<Choice> choices = new ArrayList<>();
        private @Nullable String runbookTemplate;

        private Builder() {
        }

        private Builder add(Kind kind, double threshold, Duration forDuration, Severity severity) {
            Checks.requireNonNegative(forDuration, "forDuration");
            Objects.requireNonNull(severity, "severity");
            if (forDuration.compareTo(Duration.ofDays(7)) > 0
                    || !forDuration.equals(Duration.ofSeconds(forDuration.toSeconds()))) {
                throw new IllegalArgumentException("forDuration must be whole seconds, at most 7 days: " + forDuration);
            }
            for (Choice c : choices) {
                if (c.kind == kind && c.severity == severity) {
                    throw new IllegalArgumentException("alert " + kind.alert + " was already added with severity "
                            + severity);
                }
            }
            choices.add(new Choice(kind, threshold, forDuration, severity));
            return this;
        }

        private static double perMinute(double value) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("perMinute must be a positive number: " + value);
            }
            return value;
        }

        /**
         * {@value SecurityAlerts#HIGH_FAILED_LOGIN_RATE}: more than {@code perMinute} failed logins a
         * minute, averaged over 5 minutes, for {@code forDuration}.
         *
         * @throws IllegalArgumentException when {@code perMinute} is not positive, {@code forDuration} is
         *                                  negative, not whole seconds or over 7 days, or the rule was
         *                                  already added with this severity
         */
        public Builder failedLogins(double perMinute, Duration forDuration, Severity severity) {
            return add(Kind.FAILED_LOGINS, perMinute(perMinute), forDuration, severity);
        }

        /**
         * {@value SecurityAlerts#HIGH_UNAUTHORIZED_REQUEST_RATE}: more than {@code perMinute} requests a
         * minute answered 401 or 403, averaged over 5 minutes, for {@code forDuration}.
         *
         * @throws IllegalArgumentException as {@link #failedLogins(double, Duration, Severity)}
         */
        public Builder unauthorizedRequests(double perMinute, Duration forDuration, Severity severity) {
            return add(Kind.UNAUTHORIZED, perMinute(perMinute), forDuration, severity);
        }

        /**
         * {@value SecurityAlerts#HIGH_EXPORT_VOLUME}: more than {@code bytesPerHour} bytes sent out through
         * one export over the last hour, for {@code forDuration}.
         *
         * @throws IllegalArgumentException when {@code bytesPerHour} is not positive, or as
         *                                  {@link #failedLogins(double, Duration, Severity)}
         */
        public Builder exportVolume(long bytesPerHour, Duration forDuration, Severity severity) {
            Checks.requirePositive(bytesPerHour, "bytesPerHour");
            return add(Kind.EXPORT, (double) bytesPerHour, forDuration, severity);
        }

        /**
         * Where {@code runbook_url} points; {@code {alert}} stands for the alert's name in lower case.
         * Default {@link AlertPack#DEFAULT_RUNBOOK_URL}.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException    when already set
         */
        public Builder runbookUrl(String template) {
            Checks.requireNonBlank(template, "runbookUrl");
            this.runbookTemplate = Checks.setOnce(this.runbookTemplate, template, "runbookUrl");
            return this;
        }

        /** Builds the rules. */
        public SecurityAlerts build() {
            return new SecurityAlerts(this);
        }
    }
}
