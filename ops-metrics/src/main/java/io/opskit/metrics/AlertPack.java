package io.opskit.metrics;

import io.opskit.api.Usd;
import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.api.notify.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The alerts of the operations manuals as Prometheus alerting rules: service down, CPU, heap, disk,
 * server-error ratio, request latency quantiles, DB pool usage, AI latency, AI daily cost, AI rate
 * limiting, AI error ratio, backup age and TLS certificate expiry. Each rule is opt-in, with its
 * threshold, its {@code for} duration and its severity; {@link MetricsExport} writes the chosen ones
 * into the service's rule group, selected and aggregated by the same service selector as the SLO
 * rules ({@code job} plus the selector labels), so every alert carries {@code job} and another
 * service's series never fire this one's alerts.
 *
 * <p>Every rule has the label {@code severity} and the annotations {@code summary},
 * {@code description} (with the value, the threshold and the {@code for}) and {@code runbook_url}
 * ({@link #DEFAULT_RUNBOOK_URL} unless {@link Builder#runbookUrl(String)} says otherwise). The rules read
 * the series Opskit and Micrometer export, in their Prometheus names ({@link #metricNames()}):
 * <ul>
 *   <li>{@code up} (Prometheus' own), {@code process_cpu_usage}, {@code system_cpu_usage},
 *       {@code jvm_memory_used_bytes}/{@code jvm_memory_max_bytes} ({@code area="heap"}) and
 *       {@code disk_free_bytes}/{@code disk_total_bytes} from Micrometer's JVM, processor and disk
 *       binders;</li>
 *   <li>{@code http_server_requests_seconds_count} and {@code _bucket} from {@link RequestMetrics},
 *       leaving out the routes an {@link Slo} leaves out ({@link Builder#excludedRoutes(Set)}) and
 *       requests refused during maintenance;</li>
 *   <li>{@code db_pool_usage_ratio} from {@link HikariPoolMetrics};</li>
 *   <li>{@code gen_ai_client_operation_duration_seconds_bucket}/{@code _count},
 *       {@code ai_cost_usd_total}, {@code ai_requests_rejected_total} and
 *       {@code ai_provider_errors_total} from ops-ratelimit's guard;</li>
 *   <li>{@code opskit_backup_last_success_timestamp_seconds} from ops-backup;</li>
 *   <li>{@code tls_certificate_expiry_timestamp_seconds} from {@link TlsCertificateGauges}.</li>
 * </ul>
 * Rates are taken over 5 minutes. A gauge is compared as it is: {@code for} is the
 * only wait (no {@code avg_over_time} before it, which would double the wait).
 *
 * <p>Immutable and thread-safe.
 */
public final class AlertPack {

    /**
     * Where {@code runbook_url} points by default: Opskit's runbook page, one section per alert;
     * {@code {alert}} stands for the alert's name in lower case (the section's anchor).
     */
    public static final String DEFAULT_RUNBOOK_URL = "https://github.com/opskit/opskit/blob/main/ops-metrics/RUNBOOKS.md#{alert}";

    /** {@code up == 0}: Prometheus cannot scrape an instance. */
    public static final String SERVICE_DOWN = "ServiceDown";
    /** {@code process_cpu_usage} above the threshold. */
    public static final String HIGH_PROCESS_CPU = "HighProcessCpu";
    /** {@code system_cpu_usage} above the threshold. */
    public static final String HIGH_SYSTEM_CPU = "HighSystemCpu";
    /** Heap in use over the maximum heap above the threshold. */
    public static final String HIGH_HEAP_USAGE = "HighHeapUsage";
    /** Free share of a disk below the threshold. */
    public static final String LOW_DISK_SPACE = "LowDiskSpace";
    /** Share of requests answered 5xx above the threshold. */
    public static final String HIGH_SERVER_ERROR_RATIO = "HighServerErrorRatio";
    /** A request latency quantile above the threshold (label {@code quantile}). */
    public static final String HIGH_REQUEST_LATENCY = "HighRequestLatency";
    /** {@code db_pool_usage_ratio} above the threshold. */
    public static final String HIGH_DB_POOL_USAGE = "HighDbPoolUsage";
    /** An AI call duration quantile above the threshold (label {@code quantile}). */
    public static final String HIGH_AI_LATENCY = "HighAiLatency";
    /** AI cost over the last 24 hours above the budget. */
    public static final String AI_DAILY_COST_OVER_BUDGET = "AiDailyCostOverBudget";
    /** More AI calls refused for rate limits within the rate window than the threshold. */
    public static final String AI_RATE_LIMITED = "AiRateLimited";
    /** Share of AI provider attempts that failed above the threshold. */
    public static final String HIGH_AI_ERROR_RATIO = "HighAiErrorRatio";
    /** The last successful backup older than the recovery point objective. */
    public static final String BACKUP_STALE = "BackupStale";
    /** A TLS certificate expiring within the threshold. */
    public static final String TLS_CERTIFICATE_EXPIRING = "TlsCertificateExpiring";

    /** The window of every rate in the pack. */
    public static final Duration RATE_WINDOW = Duration.ofMinutes(5);
    static final String RATE_WINDOW_TEXT = "5m";

    static final String REQUESTS = "http_server_requests_seconds_count";
    static final String REQUEST_BUCKETS = "http_server_requests_seconds_bucket";
    static final String AI_DURATION = "gen_ai_client_operation_duration_seconds";
    static final String AI_MODEL = "gen_ai_provider_name, gen_ai_request_model";
    /** Guard refusal reasons that are rate limits: its own windows and a provider's 429 pause. */
    static final String AI_RATE_REASONS = "rate_limit|provider_pause";

    private enum Kind {
        SERVICE_DOWN(AlertPack.SERVICE_DOWN, "up"),
        PROCESS_CPU(HIGH_PROCESS_CPU, "process_cpu_usage"),
        SYSTEM_CPU(HIGH_SYSTEM_CPU, "system_cpu_usage"),
        HEAP(HIGH_HEAP_USAGE, "jvm_memory_used_bytes", "jvm_memory_max_bytes"),
        DISK(LOW_DISK_SPACE, "disk_free_bytes", "disk_total_bytes"),
        SERVER_ERRORS(HIGH_SERVER_ERROR_RATIO, REQUESTS),
        LATENCY(HIGH_REQUEST_LATENCY, REQUEST_BUCKETS),
        DB_POOL(HIGH_DB_POOL_USAGE, "db_pool_usage_ratio"),
        AI_LATENCY(HIGH_AI_LATENCY, AI_DURATION + "_bucket"),
        AI_COST(AI_DAILY_COST_OVER_BUDGET, "ai_cost_usd_total"),
        AI_RATE_LIMITED(AlertPack.AI_RATE_LIMITED, "ai_requests_rejected_total"),
        AI_ERRORS(HIGH_AI_ERROR_RATIO, "ai_provider_errors_total", AI_DURATION + "_count"),
        BACKUP(BACKUP_STALE, "opskit_backup_last_success_timestamp_seconds"),
        TLS(TLS_CERTIFICATE_EXPIRING, TlsCertificateGauges.PROMETHEUS_NAME);

        final String alert;
        @SuppressWarnings("ImmutableEnumChecker") // List.of: immutable
        final List<String> metrics;

        Kind(String alert, String... metrics) {
            this.alert = alert;
            this.metrics = List.of(metrics);
        }
    }

    /** One chosen rule: the kind, its threshold (in the unit the kind reads) and quantile (NaN if none). */
    private record Choice(Kind kind, double threshold, double quantile, Duration forDuration, Severity severity) {
        String key() {
            return kind.alert + "/" + quantile + "/" + severity;
        }
    }

    /** A rule ready to write: what {@link MetricsExport} puts into the rules file. */
    record Rendered(String alert, String expr, Duration forDuration, Map<String, String> labels, String summary,
                    String description, String runbookUrl) {
    }

    private final List<Choice> choices;
    private final Set<String> excludedRoutes;
    private final long minRequests;
    private final String runbookTemplate;
    private final Map<String, String> runbookUrls;

    private AlertPack(Builder b) {
        this.choices = List.copyOf(b.choices);
        this.excludedRoutes = b.excludedRoutes != null ? b.excludedRoutes : Slo.DEFAULT_EXCLUDED_ROUTES;
        this.minRequests = b.minRequests != null ? b.minRequests : 0;
        this.runbookTemplate = b.runbookTemplate != null ? b.runbookTemplate : DEFAULT_RUNBOOK_URL;
        this.runbookUrls = Map.copyOf(b.runbookUrls);
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

    /** The Prometheus series names the chosen rules read, sorted. */
    public Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        for (Choice c : choices) {
            names.addAll(c.kind.metrics);
        }
        return names;
    }

    /** The thresholds of the chosen request-latency rules, to be histogram bucket edges. */
    List<Duration> requestLatencyThresholds() {
        List<Duration> list = new ArrayList<>();
        for (Choice c : choices) {
            if (c.kind == Kind.LATENCY) {
                list.add(Duration.ofNanos(Math.round(c.threshold * 1e9)));
            }
        }
        return list;
    }

    /** The runbook URL of {@code alert}. */
    String runbookUrl(String alert) {
        String url = runbookUrls.get(alert);
        return url != null ? url : runbookTemplate.replace("{alert}", alert.toLowerCase(Locale.ROOT));
    }

    /**
     * The chosen rules for a service.
     *
     * @param selector the service's label matchers without braces ({@code job="app",env="prod"})
     * @param by       the labels the service's series are aggregated by ({@code job, env})
     */
    List<Rendered> render(String selector, String by) {
        List<Rendered> out = new ArrayList<>();
        String http = httpSelector(selector);
        for (Choice c : choices) {
            out.add(render(c, selector, by, http));
        }
        return out;
    }

    private String httpSelector(String selector) {
        List<String> matchers = new ArrayList<>();
        matchers.add(selector);
        if (!excludedRoutes.isEmpty()) {
            List<String> escaped = new ArrayList<>();
            for (String r : new TreeSet<>(excludedRoutes)) {
                escaped.add(MetricsExport.regexEscape(r) + "(/.*)?");
            }
            matchers.add("route!~\"" + String.join("|", escaped) + "\"");
        }
        matchers.add("outcome!=\"" + RequestMetrics.REFUSED + "\"");
        return String.join(",", matchers);
    }

    private String requestGuard(String by, String http) {
        if (minRequests == 0) {
            return "";
        }
        return " and on (" + by + ") sum by (" + by + ") (increase(" + REQUESTS + "{" + http + "}[" + RATE_WINDOW_TEXT
                + "])) >= " + minRequests;
    }

    private Rendered render(Choice c, String sel, String by, String http) {
        String w = "[" + RATE_WINDOW_TEXT + "]";
        String t = MetricsExport.number(c.threshold);
        String forText = c.forDuration.isZero() ? "" : " for " + MetricsExport.promDuration(c.forDuration);
        String percent = MetricsExport.number(c.threshold * 100) + " %";
        String quantile = Double.isNaN(c.quantile) ? "" : MetricsExport.number(c.quantile);
        String p = Double.isNaN(c.quantile) ? "" : "p" + MetricsExport.number(c.quantile * 100);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("severity", c.severity.name().toLowerCase(Locale.ROOT));
        String expr;
        String summary;
        String description;
        switch (c.kind) {
            case SERVICE_DOWN -> {
                expr = "up{" + sel + "} == 0";
                summary = "{{ $labels.job }} on {{ $labels.instance }} is down";
                description = "Prometheus has failed to scrape {{ $labels.instance }} of {{ $labels.job }}" + forText
                        + ": the process is down, hung or unreachable.";
            }
            case PROCESS_CPU -> {
                expr = "max by (" + by + ", instance) (process_cpu_usage{" + sel + "}) > " + t;
                summary = "High CPU use by {{ $labels.job }} on {{ $labels.instance }}";
                description = "The JVM process uses {{ $value | humanizePercentage }} of the machine's CPU, above "
                        + percent + forText + ".";
            }
            case SYSTEM_CPU -> {
                expr = "max by (" + by + ", instance) (system_cpu_usage{" + sel + "}) > " + t;
                summary = "High CPU use on the machine of {{ $labels.instance }}";
                description = "The machine running {{ $labels.instance }} of {{ $labels.job }} uses "
                        + "{{ $value | humanizePercentage }} of its CPU, above " + percent + forText + ".";
            }
            case HEAP -> {
                // Pools without a maximum report -1 (G1's eden and survivor): only real maxima count.
                expr = "sum by (" + by + ", instance) (jvm_memory_used_bytes{" + sel + ",area=\"heap\"}) / sum by ("
                        + by + ", instance) (jvm_memory_max_bytes{" + sel + ",area=\"heap\"} > 0) > " + t;
                summary = "Heap of {{ $labels.job }} on {{ $labels.instance }} is nearly full";
                description = "{{ $value | humanizePercentage }} of the maximum heap is in use, above " + percent
                        + forText + ".";
            }
            case DISK -> {
                expr = "min by (" + by + ", instance, path) (disk_free_bytes{" + sel + "} / disk_total_bytes{" + sel
                        + "}) < " + t;
                summary = "Disk {{ $labels.path }} of {{ $labels.instance }} is nearly full";
                description = "{{ $value | humanizePercentage }} of {{ $labels.path }} is free, below " + percent
                        + forText + ".";
            }
            case SERVER_ERRORS -> {
                expr = "sum by (" + by + ") (rate(" + REQUESTS + "{" + http + ",outcome=~\"SERVER_ERROR|UNKNOWN\"}" + w
                        + ")) / sum by (" + by + ") (rate(" + REQUESTS + "{" + http + "}" + w + ")) > " + t
                        + requestGuard(by, http);
                summary = "{{ $labels.job }} answers too many server errors";
                description = "{{ $value | humanizePercentage }} of requests were answered with a 5xx status over "
                        + RATE_WINDOW_TEXT + ", above " + percent + forText + ".";
            }
            case LATENCY -> {
                expr = "histogram_quantile(" + quantile + ", sum by (" + by + ", le) (rate(" + REQUEST_BUCKETS + "{"
                        + http + "}" + w + "))) > " + t + requestGuard(by, http);
                labels.put("quantile", quantile);
                summary = p + " request latency of {{ $labels.job }} is high";
                description = "The " + p + " request latency over " + RATE_WINDOW_TEXT
                        + " is {{ $value | humanizeDuration }}, above " + seconds(c.threshold) + forText + ".";
            }
            case DB_POOL -> {
                expr = "max by (" + by + ", instance, pool) (db_pool_usage_ratio{" + sel + "}) > " + t;
                summary = "DB pool {{ $labels.pool }} of {{ $labels.instance }} is nearly exhausted";
                description = "{{ $value | humanizePercentage }} of the pool's connections are in use, above "
                        + percent + forText + ".";
            }
            case AI_LATENCY -> {
                expr = "histogram_quantile(" + quantile + ", sum by (" + by + ", " + AI_MODEL + ", le) (rate("
                        + AI_DURATION + "_bucket{" + sel + "}" + w + "))) > " + t;
                labels.put("quantile", quantile);
                summary = p + " latency of AI model {{ $labels.gen_ai_request_model }} is high";
                description = "The " + p + " duration of calls to {{ $labels.gen_ai_provider_name }} "
                        + "{{ $labels.gen_ai_request_model }} over " + RATE_WINDOW_TEXT
                        + " is {{ $value | humanizeDuration }}, above " + seconds(c.threshold) + forText + ".";
            }
            case AI_COST -> {
                expr = "sum by (" + by + ") (increase(ai_cost_usd_total{" + sel + "}[1d])) > " + t;
                summary = "AI spending of {{ $labels.job }} is over its daily budget";
                description = "AI calls cost ${{ $value | printf \"%.2f\" }} over the last 24 hours, above the budget of "
                        + Usd.ofMicros(Math.round(c.threshold * 1_000_000)) + forText + ".";
            }
            case AI_RATE_LIMITED -> {
                expr = "sum by (" + by + ", " + AI_MODEL + ") (increase(ai_requests_rejected_total{" + sel
                        + ",reason=~\"" + AI_RATE_REASONS + "\"}" + w + ")) > " + t;
                summary = "AI calls of {{ $labels.job }} to {{ $labels.gen_ai_request_model }} are rate-limited";
                description = "{{ $value | printf \"%.0f\" }} calls to {{ $labels.gen_ai_provider_name }} "
                        + "{{ $labels.gen_ai_request_model }} were refused for rate limits over " + RATE_WINDOW_TEXT
                        + ", more than " + t + forText + ".";
            }
            case AI_ERRORS -> {
                expr = "sum by (" + by + ", " + AI_MODEL + ") (rate(ai_provider_errors_total{" + sel + "}" + w
                        + ")) / sum by (" + by + ", " + AI_MODEL + ") (rate(" + AI_DURATION + "_count{" + sel + "}" + w
                        + ")) > " + t;
                summary = "AI calls of {{ $labels.job }} to {{ $labels.gen_ai_request_model }} fail";
                description = "{{ $value | humanizePercentage }} of the attempts to call {{ $labels.gen_ai_provider_name }} "
                        + "{{ $labels.gen_ai_request_model }} failed over " + RATE_WINDOW_TEXT + ", above " + percent
                        + forText + ".";
            }
            case BACKUP -> {
                // The largest time over the RPO survives a restart of the service, which resets the gauge to 0
                // until its next backup; 0 throughout (none seen within the RPO) reads as stale.
                String rpo = MetricsExport.promDuration(Duration.ofSeconds((long) c.threshold));
                expr = "time() - max by (" + by + ", repository) (max_over_time(opskit_backup_last_success_timestamp_seconds{"
                        + sel + "}[" + rpo + "])) > " + t;
                summary = "Backups of {{ $labels.repository }} are older than the RPO";
                description = "The last successful backup of {{ $labels.repository }} that Prometheus saw is "
                        + "{{ $value | humanizeDuration }} old, past the recovery point objective of "
                        + DurationText.format(Duration.ofSeconds((long) c.threshold)) + forText
                        + ".";
            }
            case TLS -> {
                expr = "min by (" + by + ", instance, certificate) (" + TlsCertificateGauges.PROMETHEUS_NAME + "{" + sel
                        + "}) - time() < " + t;
                String within = DurationText.format(Duration.ofSeconds((long) c.threshold));
                summary = "TLS certificate {{ $labels.certificate }} expires soon";
                description = "The certificate {{ $labels.certificate }} of {{ $labels.instance }} expires in "
                        + "{{ $value | humanizeDuration }}, within " + within + forText + ".";
            }
            default -> throw new AssertionError(c.kind);
        }
        return new Rendered(c.kind.alert, expr, c.forDuration, labels, summary, description, runbookUrl(c.kind.alert));
    }

    private static String seconds(double seconds) {
        return DurationText.format(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    @Override
    public String toString() {
        return "AlertPack" + alertNames();
    }

    /**
     * Set-once configuration of an {@link AlertPack}; each rule method adds one rule, and a rule may be
     * added once per severity (a warning at 1 % and a critical at 5 %). Validated as set. Not thread-safe.
     */
    public static final class Builder {
        private final List<Choice> choices = new ArrayList<>();
        private @Nullable Set<String> excludedRoutes;
        private @Nullable Long minRequests;
        private @Nullable String runbookTemplate;
        private final Map<String, String> runbookUrls = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder add(Kind kind, double threshold, double quantile, Duration forDuration, Severity severity) {
            Checks.requireNonNegative(forDuration, "forDuration");
            Objects.requireNonNull(severity, "severity");
            if (forDuration.compareTo(Duration.ofDays(7)) > 0
                    || !forDuration.equals(Duration.ofSeconds(forDuration.toSeconds()))) {
                throw new IllegalArgumentException("forDuration must be whole seconds, at most 7 days: " + forDuration);
            }
            Choice choice = new Choice(kind, threshold, quantile, forDuration, severity);
            for (Choice c : choices) {
                if (c.key().equals(choice.key())) {
                    throw new IllegalArgumentException("alert " + kind.alert + (Double.isNaN(quantile) ? "" : " quantile "
                            + quantile) + " was already added with severity " + severity);
                }
            }
            choices.add(choice);
            return this;
        }

        private static double ratio(double value, String field) {
            if (!(value > 0 && value < 1)) {
                throw new IllegalArgumentException(field + " must be above 0 and below 1: " + value);
            }
            return value;
        }

        private static double seconds(Duration value, String field) {
            Checks.requirePositive(value, field, Duration.ofDays(365));
            return value.toNanos() / 1e9;
        }

        /**
         * {@value AlertPack#SERVICE_DOWN}: Prometheus could not scrape an instance ({@code up == 0}) for
         * {@code forDuration} (the manuals: 1 minute, critical).
         *
         * @throws IllegalArgumentException when {@code forDuration} is negative, not whole seconds or over 7 days,
         *                                  or the rule was already added with this severity
         */
        public Builder serviceDown(Duration forDuration, Severity severity) {
            return add(Kind.SERVICE_DOWN, 0, Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_PROCESS_CPU}: the JVM process's share of the machine's CPU
         * ({@code process_cpu_usage}, 0 to 1) above {@code ratio} (the manuals: 0.80 for 5 minutes).
         *
         * @throws IllegalArgumentException when {@code ratio} is not between 0 and 1, {@code forDuration} is
         *                                  invalid, or the rule was already added with this severity
         */
        public Builder processCpu(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.PROCESS_CPU, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_SYSTEM_CPU}: the whole machine's CPU use ({@code system_cpu_usage}, 0 to 1)
         * above {@code ratio}.
         *
         * @throws IllegalArgumentException as {@link #processCpu(double, Duration, Severity)}
         */
        public Builder systemCpu(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.SYSTEM_CPU, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_HEAP_USAGE}: heap in use over the maximum heap above {@code ratio} (the
         * manuals: 0.85, or 0.90 critical).
         *
         * @throws IllegalArgumentException as {@link #processCpu(double, Duration, Severity)}
         */
        public Builder heapUsage(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.HEAP, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#LOW_DISK_SPACE}: the free share of a disk Micrometer's {@code DiskSpaceMetrics}
         * watches below {@code ratio} (the manuals: 0.10 to 0.15).
         *
         * @throws IllegalArgumentException as {@link #processCpu(double, Duration, Severity)}
         */
        public Builder diskFree(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.DISK, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_SERVER_ERROR_RATIO}: the share of the service's requests answered 5xx
         * (or with no valid status) over 5 minutes above {@code ratio} (the
         * manuals: 0.01 and 0.05, for 2 to 5 minutes).
         *
         * @throws IllegalArgumentException as {@link #processCpu(double, Duration, Severity)}
         */
        public Builder serverErrorRatio(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.SERVER_ERRORS, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_REQUEST_LATENCY}: the {@code quantile} of the service's request latency
         * over 5 minutes above {@code threshold} (the manuals: p50 over 100 ms,
         * p95 over 500 ms, p99 over 2 s). Needs the request histogram; the answer is exact when the
         * threshold is a bucket edge ({@link MetricsExport.Builder#requestMetrics(RequestMetrics)} checks both).
         *
         * @throws IllegalArgumentException when {@code quantile} is not between 0 and 1, {@code threshold}
         *                                  is not positive, {@code forDuration} is invalid, or the rule was
         *                                  already added with this quantile and severity
         */
        public Builder latency(double quantile, Duration threshold, Duration forDuration, Severity severity) {
            return add(Kind.LATENCY, seconds(threshold, "threshold"), ratio(quantile, "quantile"), forDuration,
                    severity);
        }

        /**
         * {@value AlertPack#HIGH_DB_POOL_USAGE}: {@code db_pool_usage_ratio} (active over maximum
         * connections) above {@code ratio} (the manuals: 0.85 for 5 minutes), read as it is.
         *
         * @throws IllegalArgumentException as {@link #processCpu(double, Duration, Severity)}
         */
        public Builder dbPoolUsage(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.DB_POOL, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_AI_LATENCY}: the {@code quantile} of AI provider call durations per
         * provider and model over 5 minutes above {@code threshold} (the manuals:
         * p95 over 15 s).
         *
         * @throws IllegalArgumentException as {@link #latency(double, Duration, Duration, Severity)}
         */
        public Builder aiLatency(double quantile, Duration threshold, Duration forDuration, Severity severity) {
            return add(Kind.AI_LATENCY, seconds(threshold, "threshold"), ratio(quantile, "quantile"), forDuration,
                    severity);
        }

        /**
         * {@value AlertPack#AI_DAILY_COST_OVER_BUDGET}: what AI calls cost over the last 24 hours (a rolling
         * day, not the guard's calendar day) above {@code budget} (the manuals: $100 a day).
         *
         * @throws IllegalArgumentException when {@code budget} is not positive or {@code forDuration} is invalid
         */
        public Builder aiDailyCost(Usd budget, Duration forDuration, Severity severity) {
            Objects.requireNonNull(budget, "budget");
            if (budget.micros() <= 0) {
                throw new IllegalArgumentException("budget must be positive: " + budget);
            }
            return add(Kind.AI_COST, budget.toDollars(), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#AI_RATE_LIMITED}: more than {@code refusals} AI calls per provider and model
         * refused within 5 minutes because a rate limit was reached (the guard's
         * requests- or tokens-per-minute, or a provider's 429 pause); 0 alerts on the first.
         *
         * @throws IllegalArgumentException when {@code refusals} is negative or {@code forDuration} is invalid
         */
        public Builder aiRateLimited(long refusals, Duration forDuration, Severity severity) {
            Checks.requireNonNegative(refusals, "refusals");
            return add(Kind.AI_RATE_LIMITED, (double) refusals, Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#HIGH_AI_ERROR_RATIO}: the share of AI provider attempts per provider and model
         * that failed over 5 minutes above {@code ratio} (the manuals: 0.05).
         *
         * @throws IllegalArgumentException as {@link #processCpu(double, Duration, Severity)}
         */
        public Builder aiErrorRatio(double ratio, Duration forDuration, Severity severity) {
            return add(Kind.AI_ERRORS, ratio(ratio, "ratio"), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#BACKUP_STALE}: the last successful backup of a repository is older than
         * {@code rpo}, the recovery point objective (the manuals: 1 hour to a day). A restart of the
         * service does not hide an older backup: the rule reads the largest time Prometheus saw within
         * the RPO.
         *
         * @throws IllegalArgumentException when {@code rpo} is not whole minutes from 1 minute to 365 days,
         *                                  or {@code forDuration} is invalid
         */
        public Builder backupAge(Duration rpo, Duration forDuration, Severity severity) {
            seconds(rpo, "rpo");
            if (rpo.toMillis() % 60_000 != 0) {
                throw new IllegalArgumentException("rpo must be whole minutes: " + rpo);
            }
            return add(Kind.BACKUP, (double) rpo.toSeconds(), Double.NaN, forDuration, severity);
        }

        /**
         * {@value AlertPack#TLS_CERTIFICATE_EXPIRING}: a certificate {@link TlsCertificateGauges} watches
         * expires within {@code within}.
         *
         * @throws IllegalArgumentException when {@code within} is not whole seconds from 1 s to 365 days,
         *                                  or {@code forDuration} is invalid
         */
        public Builder tlsExpiry(Duration within, Duration forDuration, Severity severity) {
            seconds(within, "within");
            if (!within.equals(Duration.ofSeconds(within.toSeconds()))) {
                throw new IllegalArgumentException("within must be whole seconds: " + within);
            }
            return add(Kind.TLS, (double) within.toSeconds(), Double.NaN, forDuration, severity);
        }

        /**
         * The routes the server-error and latency rules leave out, each with everything below it;
         * default {@link Slo#DEFAULT_EXCLUDED_ROUTES} (health, metrics and admin), as the SLOs. Requests
         * refused during maintenance are always left out.
         *
         * @throws IllegalArgumentException when a route does not start with {@code /}
         * @throws IllegalStateException    when already set
         */
        public Builder excludedRoutes(Set<String> routes) {
            Objects.requireNonNull(routes, "excludedRoutes");
            Checks.requireUnset(excludedRoutes, "excludedRoutes");
            for (String r : routes) {
                if (r == null || !r.startsWith("/")) {
                    throw new IllegalArgumentException("excludedRoutes must start with '/': " + r);
                }
            }
            this.excludedRoutes = Set.copyOf(routes);
            return this;
        }

        /**
         * The fewest requests over 5 minutes for the server-error and latency
         * rules to fire, so that one failure among three requests at night does not page. Default 0 (no
         * guard, as the manuals write these rules).
         *
         * @throws IllegalArgumentException when negative
         * @throws IllegalStateException    when already set
         */
        public Builder minRequests(long minRequests) {
            Checks.requireNonNegative(minRequests, "minRequests");
            Checks.requireUnset(this.minRequests, "minRequests");
            this.minRequests = minRequests;
            return this;
        }

        /**
         * Where every rule's {@code runbook_url} points: {@code {alert}} stands for the alert's name in
         * lower case ({@code https://wiki.example.com/runbooks/{alert}}). Default {@link #DEFAULT_RUNBOOK_URL}.
         *
         * @throws IllegalArgumentException when it is not an absolute http or https URL
         * @throws IllegalStateException    when already set
         */
        public Builder runbookUrl(String template) {
            Objects.requireNonNull(template, "runbookUrl");
            Checks.requireUnset(runbookTemplate, "runbookUrl");
            checkUrl(template.replace("{alert}", "alert"), "runbookUrl", template);
            this.runbookTemplate = template;
            return this;
        }

        /**
         * The {@code runbook_url} of one alert, instead of the template's.
         *
         * @throws IllegalArgumentException when {@code alert} is not one of the pack's alert names, the URL
         *                                  is not an absolute http or https URL, or one was already given
         */
        public Builder runbookUrl(String alert, String url) {
            Objects.requireNonNull(alert, "alert");
            Objects.requireNonNull(url, "url");
            boolean known = false;
            for (Kind k : Kind.values()) {
                known |= k.alert.equals(alert);
            }
            if (!known) {
                throw new IllegalArgumentException("alert must be one of the pack's alerts: '" + alert + "'");
            }
            checkUrl(url, "url", url);
            if (runbookUrls.putIfAbsent(alert, url) != null) {
                throw new IllegalArgumentException("runbook URL of " + alert + " was already given");
            }
            return this;
        }

        private static void checkUrl(String url, String field, String shown) {
            try {
                URI uri = new URI(url);
                if (uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                        && uri.getHost() != null) {
                    return;
                }
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            throw new IllegalArgumentException(field + " must be an absolute http or https URL: '" + shown + "'");
        }

        /**
         * Builds the pack.
         *
         * @throws IllegalStateException when no rule was chosen
         */
        public AlertPack build() {
            if (choices.isEmpty()) {
                throw new IllegalStateException("rule is required: choose at least one, such as serviceDown(...)");
            }
            return new AlertPack(this);
        }
    }
}
