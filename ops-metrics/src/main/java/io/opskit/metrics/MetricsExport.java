package io.opskit.metrics;

import io.opskit.api.internal.Checks;
import io.opskit.metrics.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Generates, from the same SLO and alert definitions the host runs in process, the files a host with
 * Prometheus and Grafana uses instead, scoped to one service:
 * <ul>
 *   <li>{@link #prometheusRules()}: a Prometheus rules file with one group per service holding, per
 *       SLO, recording rules for the error ratio over every burn-rate window
 *       ({@code opskit:slo_error_ratio:rate5m}, ...) and over the SLO window
 *       ({@code opskit:slo_error_budget_remaining:ratio}, computed by Prometheus, so it survives
 *       restarts of the service), multi-window multi-burn-rate alerts ({@code SloErrorBudgetBurn}),
 *       and one alerting rule per {@link AlertRule} that has a PromQL expression;</li>
 *   <li>{@link #grafanaDashboard()}: a Grafana dashboard with {@code datasource}, {@code job} and
 *       {@code instance} variables for the series Opskit emits.</li>
 * </ul>
 *
 * <p>Every query selects the service with {@link Builder#job(String) job} and the
 * {@link Builder#selectorLabel(String, String) labels} the host names, and aggregates
 * {@code sum by (job, <those labels>)}, so recorded series and alerts keep them for Alertmanager to
 * route on, and another service's errors never reach this one's alerts. An {@link AlertRule}'s PromQL
 * may place the selector with {@value #SELECTOR_PLACEHOLDER}: {@code db_pool_usage_ratio{${selector}}}.
 *
 * <p>A latency SLO's error ratio reads the {@code http_server_requests_seconds_bucket} whose {@code le}
 * is its threshold; {@link RequestMetrics} publishes those buckets for the routes a latency SLO counts.
 * The minimum-event guard and the strict comparisons are those of {@link SloTracker#burning}. The
 * 30-day budget needs a Prometheus retention at least as long as the SLO window.
 *
 * <p>Immutable and thread-safe.
 */
public final class MetricsExport {

    /** The file name {@link #writeTo(Path)} gives the rules. */
    public static final String RULES_FILE = "opskit-rules.yml";
    /** The file name {@link #writeTo(Path)} gives the dashboard. */
    public static final String DASHBOARD_FILE = "opskit-dashboard.json";
    /** Where an {@link AlertRule}'s PromQL wants the service's label matchers (without braces). */
    public static final String SELECTOR_PLACEHOLDER = "${selector}";

    private static final String COUNT = "http_server_requests_seconds_count";
    private static final String BUCKET = "http_server_requests_seconds_bucket";
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final List<Slo> slos;
    private final List<BurnRateWindow> burnWindows;
    private final long minEvents;
    private final List<AlertRule> alertRules;
    private final String title;
    private final String job;
    private final Map<String, String> selectorLabels;
    private final @Nullable AlertPack alertPack;
    private final @Nullable SecurityAlerts securityAlerts;
    private final @Nullable String metricPrefix;
    private final boolean cachePanel;

    private MetricsExport(Builder b) {
        SloTracker tracker = b.slos;
        this.slos = tracker == null ? List.of() : tracker.slos();
        this.burnWindows = tracker == null ? List.of() : tracker.burnWindows();
        this.minEvents = tracker == null ? 0 : tracker.minEvents();
        this.alertRules = List.copyOf(b.alertRules);
        this.job = Objects.requireNonNull(b.job);
        this.title = b.title != null ? b.title : "Opskit " + job;
        this.selectorLabels = Collections.unmodifiableMap(new LinkedHashMap<>(b.selectorLabels));
        this.alertPack = b.alertPack;
        this.securityAlerts = b.securityAlerts;
        this.metricPrefix = b.metricPrefix;
        this.cachePanel = b.cachePanel == null || b.cachePanel;
    }

    /** A builder; {@link Builder#job(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The service's Prometheus {@code job}. */
    public String job() {
        return job;
    }

    /** The fixed label matchers of the service, {@code job} first: {@code job="app",env="prod"}. */
    public String selector() {
        StringBuilder sb = new StringBuilder("job=\"").append(escape(job)).append('"');
        for (var e : selectorLabels.entrySet()) {
            sb.append(',').append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
        }
        return sb.toString();
    }

    /** The labels the service's series are aggregated by: {@code job} and the selector labels. */
    String byLabels() {
        List<String> names = new ArrayList<>();
        names.add("job");
        names.addAll(selectorLabels.keySet());
        return String.join(", ", names);
    }

    /** The Prometheus rules file (YAML), valid for {@code promtool check rules}. */
    public String prometheusRules() {
        StringBuilder y = new StringBuilder("# Generated by Opskit from the application's SLO and alert definitions.\n");
        y.append("groups:\n");
        y.append("  - name: ").append(quote(groupName())).append("\n    rules:\n");
        int rules = 0;
        for (Slo slo : slos) {
            for (Duration w : windows()) {
                y.append("      - record: opskit:slo_error_ratio:rate").append(BurnRateWindow.label(w)).append('\n');
                y.append("        expr: ").append(quote(errorRatio(slo, w))).append('\n');
                y.append("        labels:\n          slo: ").append(quote(slo.name())).append('\n');
                rules++;
            }
            y.append("      - record: opskit:slo_error_budget_remaining:ratio\n");
            y.append("        expr: ").append(quote("1 - (" + errorRatio(slo, slo.window()) + ") / "
                    + number(slo.errorBudget()))).append('\n');
            y.append("        labels:\n          slo: ").append(quote(slo.name())).append('\n');
            y.append("          window: ").append(quote(BurnRateWindow.label(slo.window()))).append('\n');
            rules++;
            for (BurnRateWindow c : burnWindows) {
                String longLabel = BurnRateWindow.label(c.longWindow());
                String shortLabel = BurnRateWindow.label(c.shortWindow());
                double factor = c.factor(slo.window());
                String limit = number(factor * slo.errorBudget());
                String recorded = "{" + selector() + ",slo=\"" + slo.name() + "\"}";
                String expr = "opskit:slo_error_ratio:rate" + longLabel + recorded + " > " + limit
                        + " and on (" + byLabels() + ", slo) opskit:slo_error_ratio:rate" + shortLabel + recorded
                        + " > " + limit + " and on (" + byLabels() + ") sum by (" + byLabels() + ") (increase("
                        + COUNT + sloSelector(slo, "") + "[" + longLabel + "])) >= " + minEvents;
                y.append("      - alert: SloErrorBudgetBurn\n");
                y.append("        expr: ").append(quote(expr)).append('\n');
                y.append("        labels:\n");
                y.append("          slo: ").append(quote(slo.name())).append('\n');
                y.append("          severity: ").append(quote(severity(c))).append('\n');
                y.append("          long_window: ").append(quote(longLabel)).append('\n');
                y.append("          short_window: ").append(quote(shortLabel)).append('\n');
                y.append("        annotations:\n");
                y.append("          summary: ").append(quote("SLO " + slo.name() + " of " + job + " is burning "
                        + "its error budget at " + number(factor) + "x or more over " + longLabel + " and "
                        + shortLabel)).append('\n');
                y.append("          description: ").append(quote("At this pace " + number(c.budgetSpent() * 100)
                        + " % of the " + BurnRateWindow.label(slo.window()) + " error budget is spent within "
                        + longLabel + ".")).append('\n');
                rules++;
            }
        }
        for (AlertRule r : alertRules) {
            String promql = r.promql().orElse(null);
            if (promql == null) {
                continue;
            }
            // One rule per level, as the in-process evaluator tracks them: same name, severity label apart.
            for (io.opskit.api.Threshold.Level level : r.levels()) {
                y.append("      - alert: ").append(r.name()).append('\n');
                y.append("        expr: ").append(quote("(" + promql.replace(SELECTOR_PLACEHOLDER, selector()) + ") "
                        + r.operator() + " " + number(r.levelValue(level)))).append('\n');
                if (!r.forDuration().isZero()) {
                    y.append("        for: ").append(promDuration(r.forDuration())).append('\n');
                }
                y.append("        labels:\n          severity: ")
                        .append(quote(AlertRule.severity(level).name().toLowerCase(Locale.ROOT))).append('\n');
                for (var e : r.labels().entrySet()) {
                    y.append("          ").append(e.getKey()).append(": ").append(quote(e.getValue())).append('\n');
                }
                y.append("        annotations:\n          summary: ").append(quote(r.summary())).append('\n');
                rules++;
            }
        }
        List<AlertPack.Rendered> packs = new ArrayList<>();
        if (alertPack != null) {
            packs.addAll(alertPack.render(selector(), byLabels()));
        }
        if (securityAlerts != null) {
            packs.addAll(securityAlerts.render(selector(), byLabels()));
        }
        for (AlertPack.Rendered r : packs) {
            y.append("      - alert: ").append(r.alert()).append('\n');
            y.append("        expr: ").append(quote(MetricPrefix.series(metricPrefix, r.expr()))).append('\n');
            if (!r.forDuration().isZero()) {
                y.append("        for: ").append(promDuration(r.forDuration())).append('\n');
            }
            y.append("        labels:\n");
            for (var e : r.labels().entrySet()) {
                y.append("          ").append(e.getKey()).append(": ").append(quote(e.getValue())).append('\n');
            }
            y.append("        annotations:\n");
            y.append("          summary: ").append(quote(r.summary())).append('\n');
            y.append("          description: ").append(quote(r.description())).append('\n');
            y.append("          runbook_url: ").append(quote(r.runbookUrl())).append('\n');
            rules++;
        }
        if (rules == 0) {
            return "# Generated by Opskit: no SLO or exported alert rule.\ngroups: []\n";
        }
        return y.toString();
    }

    private String groupName() {
        StringBuilder sb = new StringBuilder("opskit-").append(job);
        for (String v : selectorLabels.values()) {
            sb.append('-').append(v);
        }
        return sb.toString();
    }

    private List<Duration> windows() {
        TreeSet<Duration> all = new TreeSet<>();
        for (BurnRateWindow c : burnWindows) {
            all.add(c.shortWindow());
            all.add(c.longWindow());
        }
        return new ArrayList<>(all);
    }

    private static String severity(BurnRateWindow c) {
        return c.severity().name().toLowerCase(Locale.ROOT);
    }

    /** The PromQL error ratio of {@code slo} over {@code window}, by the service's labels. */
    String errorRatio(Slo slo, Duration window) {
        String w = "[" + BurnRateWindow.label(window) + "]";
        String by = "sum by (" + byLabels() + ") ";
        String all = by + "(rate(" + COUNT + sloSelector(slo, "") + w + "))";
        Duration threshold = slo.latencyThreshold().orElse(null);
        if (threshold == null) {
            String bad = by + "(rate(" + COUNT + sloSelector(slo, "outcome=~\"" + badOutcomes(slo) + "\"") + w + "))";
            // "or 0 * all" keeps the ratio (at 0) while no bad series exists yet, with the service's labels.
            return "(" + bad + " or 0 * " + all + ") / " + all;
        }
        String le = "le=\"" + leValue(threshold) + "\"";
        String good = by + "(rate(" + BUCKET + sloSelector(slo, le) + w + "))";
        return "1 - " + good + " / " + all;
    }

    /** PromQL of the requests {@code slo} counts over the last {@code window}, by the service's labels. */
    String eventsQuery(Slo slo, Duration window) {
        return "sum by (" + byLabels() + ") (increase(" + COUNT + sloSelector(slo, "") + "["
                + BurnRateWindow.label(window) + "]))";
    }

    /**
     * PromQL of the requests over the last {@code window} that {@code slo} counts as bad (an
     * availability SLO) or as good (a latency SLO: those within its threshold's bucket), as
     * {@link #errorRatio} counts them.
     */
    String judgedEventsQuery(Slo slo, Duration window) {
        String w = "[" + BurnRateWindow.label(window) + "]";
        String by = "sum by (" + byLabels() + ") ";
        Duration threshold = slo.latencyThreshold().orElse(null);
        if (threshold == null) {
            return by + "(increase(" + COUNT + sloSelector(slo, "outcome=~\"" + badOutcomes(slo) + "\"") + w + "))";
        }
        return by + "(increase(" + BUCKET + sloSelector(slo, "le=\"" + leValue(threshold) + "\"") + w + "))";
    }

    private static String badOutcomes(Slo slo) {
        return slo.refusalsAsFailures() ? "SERVER_ERROR|UNKNOWN|" + RequestMetrics.REFUSED : "SERVER_ERROR|UNKNOWN";
    }

    /** The {@code le} label value Micrometer's Prometheus registry gives a bucket edge. */
    static String leValue(Duration edge) {
        return Double.toString(edge.toNanos() / 1e9);
    }

    /** The service selector plus the SLO's route and refusal matchers plus {@code extra}. */
    String sloSelector(Slo slo, String extra) {
        List<String> matchers = new ArrayList<>();
        matchers.add(selector());
        if (!slo.routes().isEmpty()) {
            List<String> escaped = new ArrayList<>();
            for (String r : new TreeSet<>(slo.routes())) {
                escaped.add(regexEscape(r));
            }
            matchers.add("route=~\"" + String.join("|", escaped) + "\"");
        }
        if (!slo.excludedRoutes().isEmpty()) {
            List<String> escaped = new ArrayList<>();
            for (String r : new TreeSet<>(slo.excludedRoutes())) {
                escaped.add(regexEscape(r) + "(/.*)?");
            }
            matchers.add("route!~\"" + String.join("|", escaped) + "\"");
        }
        if (!slo.refusalsAsFailures()) {
            matchers.add("outcome!=\"" + RequestMetrics.REFUSED + "\"");
        }
        if (!extra.isEmpty()) {
            matchers.add(extra);
        }
        return "{" + String.join(",", matchers) + "}";
    }

    /** A regex-escaped literal inside a double-quoted PromQL string (so backslashes doubled). */
    static String regexEscape(String literal) {
        return literal.replaceAll("([\\\\.+*?()|\\[\\]{}^$])", "\\\\\\\\$1");
    }

    /** A PromQL double-quoted string's content. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String promDuration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return Math.max(1, seconds) + "s";
    }

    /** A finite number rounded to 12 significant digits, so {@code 14.4 * (1 - 0.999)} reads 0.0144. */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return "0";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
    }

    /** A YAML single-quoted scalar: backslashes stay literal, quotes double. */
    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The dashboard's label matchers: the variables {@code job} and {@code instance} and the fixed labels. */
    private String dashboardSelector() {
        return "job=~\"$job\",instance=~\"$instance\"" + fixedLabels();
    }

    private String fixedLabels() {
        StringBuilder sb = new StringBuilder();
        for (var e : selectorLabels.entrySet()) {
            sb.append(',').append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
        }
        return sb.toString();
    }

    /**
     * The Grafana dashboard (JSON model, schema 39) with the variables {@code datasource},
     * {@code job} (default this service's) and {@code instance} (both multi-select, "All" included).
     * Per-instance figures (in-flight requests, pool usage, cache hit ratio) have a series per
     * instance; the SLO panels read the recorded series of {@link #prometheusRules()}.
     */
    public String grafanaDashboard() {
        String sel = "{" + dashboardSelector() + "}";
        String fiveXx = "{" + dashboardSelector() + ",outcome=\"SERVER_ERROR\"}";
        List<String> panels = new ArrayList<>();
        int[] y = {0};
        panels.add(panel(panels.size() + 1, "Request rate by route", "reqps", y, 0,
                target("sum by (job, route) (rate(" + COUNT + sel + "[5m]))", "{{job}} {{route}}", "A")));
        panels.add(panel(panels.size() + 1, "Server error ratio", "percentunit", y, 12,
                target("(sum by (job) (rate(" + COUNT + fiveXx + "[5m])) or 0 * sum by (job) (rate(" + COUNT + sel
                        + "[5m]))) / sum by (job) (rate(" + COUNT + sel + "[5m]))", "{{job}} 5xx ratio", "A")));
        nextRow(y);
        panels.add(panel(panels.size() + 1, "Latency p50 / p95 / p99", "s", y, 0,
                target(quantile(0.5, sel), "{{job}} p50", "A"), target(quantile(0.95, sel), "{{job}} p95", "B"),
                target(quantile(0.99, sel), "{{job}} p99", "C")));
        panels.add(panel(panels.size() + 1, "Requests in flight, per instance", "short", y, 12,
                target("sum by (job, instance) (http_server_requests_in_flight" + sel + ")", "{{instance}}", "A")));
        nextRow(y);
        panels.add(panel(panels.size() + 1, "DB pool usage, per instance (alert above 85 %)", "percentunit", y, 0,
                target("max by (job, instance, pool) (" + MetricPrefix.series(metricPrefix, "db_pool_usage_ratio") + sel
                        + ")", "{{instance}} {{pool}}", "A")));
        if (cachePanel) {
            panels.add(panel(panels.size() + 1, "Cache hit ratio, per instance (target above 90 %)", "percentunit", y,
                    12, target("max by (job, instance, cache) (cache_hit_ratio" + sel + ")", "{{instance}} {{cache}}",
                    "A")));
        }
        nextRow(y);
        for (Slo slo : slos) {
            String rec = "{job=~\"$job\"" + fixedLabels() + ",slo=\"" + slo.name() + "\"}";
            panels.add(panel(panels.size() + 1, "SLO " + slo.name() + ": error budget remaining ("
                    + BurnRateWindow.label(slo.window()) + ")", "percentunit", y, 0,
                    target("opskit:slo_error_budget_remaining:ratio" + rec, "{{job}} budget left", "A")));
            List<String> targets = new ArrayList<>();
            char ref = 'A';
            for (Duration w : windows()) {
                targets.add(target("opskit:slo_error_ratio:rate" + BurnRateWindow.label(w) + rec + " / "
                        + number(slo.errorBudget()), "{{job}} burn " + BurnRateWindow.label(w), String.valueOf(ref++)));
            }
            panels.add(panel(panels.size() + 1, "SLO " + slo.name() + ": burn rate", "short", y, 12,
                    targets.toArray(new String[0])));
            nextRow(y);
        }
        String uid = "opskit-" + Integer.toHexString((title + "/" + groupName()).hashCode());
        String ds = "{\"type\":\"prometheus\",\"uid\":\"${datasource}\"}";
        String jobVariable = "{\"name\":\"job\",\"label\":\"Job\",\"type\":\"query\",\"datasource\":" + ds
                + ",\"query\":" + Json.quote("label_values(" + COUNT + ", job)") + ",\"refresh\":2,\"multi\":true,"
                + "\"includeAll\":true,\"current\":{\"text\":[" + Json.quote(job) + "],\"value\":["
                + Json.quote(job) + "]}}";
        String instanceVariable = "{\"name\":\"instance\",\"label\":\"Instance\",\"type\":\"query\",\"datasource\":"
                + ds + ",\"query\":" + Json.quote("label_values(" + COUNT + "{job=~\"$job\"}, instance)")
                + ",\"refresh\":2,\"multi\":true,\"includeAll\":true,\"allValue\":\".+\","
                + "\"current\":{\"text\":[\"All\"],\"value\":[\"$__all\"]}}";
        return "{\"title\":" + Json.quote(title) + ",\"uid\":" + Json.quote(uid)
                + ",\"tags\":[\"opskit\"],\"schemaVersion\":39,\"version\":1,\"editable\":true,"
                + "\"time\":{\"from\":\"now-6h\",\"to\":\"now\"},\"refresh\":\"30s\","
                + "\"templating\":{\"list\":[{\"name\":\"datasource\",\"type\":\"datasource\",\"query\":\"prometheus\","
                + "\"label\":\"Data source\"}," + jobVariable + "," + instanceVariable + "]},\"panels\":["
                + String.join(",", panels) + "]}";
    }

    private static String quantile(double q, String sel) {
        return "histogram_quantile(" + q + ", sum by (job, le) (rate(" + BUCKET + sel + "[5m])))";
    }

    private static void nextRow(int[] y) {
        y[0] += 8;
    }

    private static String target(String expr, String legend, String refId) {
        return "{\"datasource\":{\"type\":\"prometheus\",\"uid\":\"${datasource}\"},\"expr\":" + Json.quote(expr)
                + ",\"legendFormat\":" + Json.quote(legend) + ",\"refId\":" + Json.quote(refId) + "}";
    }

    private static String panel(int id, String title, String unit, int[] y, int x, String... targets) {
        return "{\"id\":" + id + ",\"type\":\"timeseries\",\"title\":" + Json.quote(title)
                + ",\"datasource\":{\"type\":\"prometheus\",\"uid\":\"${datasource}\"}"
                + ",\"gridPos\":{\"h\":8,\"w\":12,\"x\":" + x + ",\"y\":" + y[0] + "}"
                + ",\"fieldConfig\":{\"defaults\":{\"unit\":" + Json.quote(unit) + "},\"overrides\":[]}"
                + ",\"targets\":[" + String.join(",", targets) + "]}";
    }

    /**
     * Writes {@value #RULES_FILE} and {@value #DASHBOARD_FILE} into {@code directory} (created if
     * missing), each atomically.
     *
     * @return the two files written
     * @throws IOException when a file cannot be written
     */
    public List<Path> writeTo(Path directory) throws IOException {
        Files.createDirectories(directory);
        return List.of(write(directory.resolve(RULES_FILE), prometheusRules()),
                write(directory.resolve(DASHBOARD_FILE), grafanaDashboard()));
    }

    private static Path write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Set-once configuration of a {@link MetricsExport}; validated as set. Not thread-safe. */
    public static final class Builder {
        private @Nullable SloTracker slos;
        private final List<AlertRule> alertRules = new ArrayList<>();
        private @Nullable String title;
        private @Nullable String job;
        private final Map<String, String> selectorLabels = new LinkedHashMap<>();
        private @Nullable AlertPack alertPack;
        private @Nullable SecurityAlerts securityAlerts;
        private @Nullable String metricPrefix;
        private @Nullable RequestMetrics requestMetrics;
        private @Nullable Boolean cachePanel;

        private Builder() {
        }

        /**
         * The service's Prometheus {@code job} label value, as the scrape configuration names it.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException    when already set
         */
        public Builder job(String job) {
            Objects.requireNonNull(job, "job");
            if (job.isBlank()) {
                throw new IllegalArgumentException("job must not be blank: '" + job + "'");
            }
            if (this.job != null) {
                throw new IllegalStateException("job was already set");
            }
            this.job = job;
            return this;
        }

        /**
         * Adds a label every query of this service matches exactly and recorded series keep
         * ({@code env="prod"}, {@code namespace="shop"}); repeatable, once per name.
         *
         * @throws IllegalArgumentException when the name is not a label name, is {@code job},
         *                                  {@code instance}, {@code slo}, {@code le} or {@code severity},
         *                                  or was already added
         */
        public Builder selectorLabel(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")
                    || Set.of("job", "instance", "slo", "le", "severity").contains(name)) {
                throw new IllegalArgumentException("selectorLabel name must be a label name other than job, instance, "
                        + "slo, le and severity: '" + name + "'");
            }
            if (selectorLabels.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("selectorLabel was already added: '" + name + "'");
            }
            return this;
        }

        /**
         * The SLOs, burn-rate conditions and event guard to export.
         *
         * @throws IllegalStateException when already set
         */
        public Builder slos(SloTracker slos) {
            Objects.requireNonNull(slos, "slos");
            if (this.slos != null) {
                throw new IllegalStateException("slos was already set");
            }
            this.slos = slos;
            return this;
        }

        /**
         * Adds a threshold rule; exported when it has {@link AlertRule#promql()}. Repeatable.
         *
         * @throws IllegalArgumentException when a rule of that name was already added
         */
        public Builder alertRule(AlertRule rule) {
            Objects.requireNonNull(rule, "rule");
            for (AlertRule r : alertRules) {
                if (r.name().equals(rule.name())) {
                    throw new IllegalArgumentException("alert rule name must be unique: '" + rule.name() + "'");
                }
            }
            alertRules.add(rule);
            return this;
        }

        /**
         * The manuals' alerts to export with the SLO rules, in the same rule group and with the same
         * service selector; see {@link AlertPack}.
         *
         * @throws IllegalStateException when already set
         */
        public Builder alertPack(AlertPack pack) {
            Objects.requireNonNull(pack, "alertPack");
            if (this.alertPack != null) {
                throw new IllegalStateException("alertPack was already set");
            }
            this.alertPack = pack;
            return this;
        }

        /**
         * The prefix the host gave Opskit's meters ({@link HikariPoolMetrics#withMetricPrefix(String)},
         * {@link SecuritySignals.Builder#metricPrefix(String)}, {@link SloTracker.Builder#metricPrefix(String)}),
         * so that the rules and the dashboard read {@code chatbot_db_pool_usage_ratio} and
         * {@code chatbot_security_*}. {@code http_server_requests_*} never takes a prefix.
         *
         * @throws IllegalArgumentException when not 1 to 32 lower-case letters, digits and {@code _}
         *                                  starting with a letter
         * @throws IllegalStateException    when already set
         */
        public Builder metricPrefix(String prefix) {
            this.metricPrefix = MetricPrefix.check(prefix, this.metricPrefix);
            return this;
        }

        /**
         * The {@link SecuritySignals} alerts to export, in the same rule group and with the same service
         * selector; see {@link SecurityAlerts}.
         *
         * @throws IllegalStateException when already set
         */
        public Builder securityAlerts(SecurityAlerts alerts) {
            this.securityAlerts = Checks.setOnce(this.securityAlerts, alerts, "securityAlerts");
            return this;
        }

        /**
         * The request metrics whose series the rules read, so that {@link #build()} can check that the
         * histogram the {@link AlertPack}'s latency rules need is published, with each threshold as a
         * bucket edge. Optional: without it nothing is checked.
         *
         * @throws IllegalStateException when already set
         */
        public Builder requestMetrics(RequestMetrics requests) {
            Objects.requireNonNull(requests, "requestMetrics");
            if (this.requestMetrics != null) {
                throw new IllegalStateException("requestMetrics was already set");
            }
            this.requestMetrics = requests;
            return this;
        }

        /**
         * Whether the dashboard has the cache hit ratio panel; default {@code true}. A service that binds
         * no {@link CaffeineCacheGauges} turns it off rather than show a panel that never has data.
         *
         * @throws IllegalStateException when already set
         */
        public Builder cacheHitRatioPanel(boolean enabled) {
            if (this.cachePanel != null) {
                throw new IllegalStateException("cacheHitRatioPanel was already set");
            }
            this.cachePanel = enabled;
            return this;
        }

        /**
         * The dashboard title; default {@code "Opskit <job>"}.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException    when already set
         */
        public Builder title(String title) {
            Objects.requireNonNull(title, "title");
            if (title.isBlank()) {
                throw new IllegalArgumentException("title must not be blank: '" + title + "'");
            }
            if (this.title != null) {
                throw new IllegalStateException("title was already set");
            }
            this.title = title;
            return this;
        }

        /**
         * Builds the export.
         *
         * @throws IllegalStateException when no job was given, or {@link #requestMetrics(RequestMetrics)}
         *                               publishes no histogram or lacks a latency rule's threshold as an edge
         */
        public MetricsExport build() {
            if (job == null) {
                throw new IllegalStateException("job is required: the Prometheus job label of the service");
            }
            if (alertPack != null && requestMetrics != null) {
                List<Duration> edges = requestMetrics.buckets();
                for (Duration threshold : alertPack.requestLatencyThresholds()) {
                    if (edges.isEmpty()) {
                        throw new IllegalStateException("alert " + AlertPack.HIGH_REQUEST_LATENCY + " needs the request "
                                + "histogram, which is off: turn it on with RequestMetrics.Builder.histogram(true)");
                    }
                    if (!edges.contains(threshold)) {
                        throw new IllegalStateException("alert " + AlertPack.HIGH_REQUEST_LATENCY + " threshold "
                                + io.opskit.api.internal.DurationText.format(threshold) + " is not a bucket edge, so "
                                + "its quantile would be interpolated: add it with RequestMetrics.Builder.buckets(...)");
                    }
                }
            }
            return new MetricsExport(this);
        }
    }
}
