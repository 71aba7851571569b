package io.opskit.metrics;

import static io.opskit.metrics.AlertPackPromtoolTest.APP;
import static io.opskit.metrics.AlertPackPromtoolTest.OTHER;
import static io.opskit.metrics.AlertPackPromtoolTest.STAGING;
import static io.opskit.metrics.AlertPackPromtoolTest.concat;
import static io.opskit.metrics.AlertPackPromtoolTest.flat;
import static io.opskit.metrics.AlertPackPromtoolTest.ramp;
import static io.opskit.metrics.PromtoolSuite.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.notify.Severity;
import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link SecurityAlerts} rules under {@code promtool test rules}: each fires once its rate has been
 * above the threshold for its {@code for}, with its labels and annotations, and stays silent below it,
 * for another job and for another value of a selector label. Series at one-minute steps; counters start
 * at 1000 so that Prometheus' extrapolation is not cut at a zero start.
 */
class SecurityAlertsPromtoolTest {

    static final long MIB = 1024 * 1024;
    static final SecurityAlerts ALERTS = SecurityAlerts.builder()
            .failedLogins(10, Duration.ofMinutes(2), Severity.WARNING)
            .unauthorizedRequests(30, Duration.ofMinutes(5), Severity.WARNING)
            .exportVolume(500 * MIB, Duration.ofMinutes(5), Severity.CRITICAL)
            .runbookUrl("https://runbooks.example.com/app/{alert}")
            .build();

    @TempDir
    Path dir;

    @BeforeEach
    void writeRules() throws Exception {
        MetricsExport export = MetricsExport.builder().job("app").selectorLabel("env", "prod")
                .securityAlerts(ALERTS).build();
        Files.writeString(dir.resolve("rules.yml"), export.prometheusRules(), StandardCharsets.UTF_8);
    }

    private PromtoolSuite suite() {
        return new PromtoolSuite(Duration.ofMinutes(1)).ruleFile("rules.yml");
    }

    private void assertPasses(PromtoolSuite suite, String name) throws Exception {
        Promtool.Result result = suite.run(dir, name);
        assertThat(result.exitCode()).as(result.output() + "\n--- test file ---\n" + suite.yaml()
                + "\n--- rules ---\n" + Files.readString(dir.resolve("rules.yml"))).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    private static Map<String, String> annotations(String alert, String summary, String description) {
        return labels("summary", summary, "description", description, "runbook_url",
                "https://runbooks.example.com/app/" + alert.toLowerCase(java.util.Locale.ROOT));
    }

    /** Quiet (at 1000) through minute 10, then {@code perMinute} more every minute through minute {@code end}. */
    private static double[] burst(double perMinute, int end) {
        return concat(flat(1000, 10), ramp(1000 + perMinute, perMinute, end - 11));
    }

    @Test
    void failedLogins_twelvePerMinute_firesAfterItsForAndEightPerMinuteOrOtherJobsStaySilent() throws Exception {
        PromtoolSuite suite = suite()
                .series("security_authentication_failures_total{" + APP + ",instance=\"a:8080\",reason=\"bad_credentials\"}",
                        burst(9, 30))
                .series("security_authentication_failures_total{" + APP + ",instance=\"b:8080\",reason=\"unknown_account\"}",
                        burst(3, 30))
                .series("security_authentication_failures_total{" + OTHER + ",instance=\"c:8080\",reason=\"bad_credentials\"}",
                        burst(100, 30))
                .series("security_authentication_failures_total{" + STAGING + ",instance=\"d:8080\",reason=\"bad_credentials\"}",
                        burst(100, 30));
        // 9 + 3 = 12 a minute across reasons and instances. The 5-minute rate (samples from t - 5m to t)
        // reads 9.6 at minute 14 and 12 from minute 15: pending at 15, firing 2 minutes later.
        suite.expectAlerts(16, SecurityAlerts.HIGH_FAILED_LOGIN_RATE, List.of(), List.of());
        suite.expectAlerts(17, SecurityAlerts.HIGH_FAILED_LOGIN_RATE,
                List.of(labels("job", "app", "env", "prod", "severity", "warning")),
                List.of(annotations(SecurityAlerts.HIGH_FAILED_LOGIN_RATE, "Many failed logins at app",
                        "12.0 failed logins per minute over 5m, above 10 per minute for 2m: password guessing, "
                                + "or a client with a stale password.")));
        assertPasses(suite, "failed-logins.yml");

        PromtoolSuite below = suite()
                .series("security_authentication_failures_total{" + APP + ",instance=\"a:8080\",reason=\"bad_credentials\"}",
                        burst(8, 30));
        below.expectAlerts(30, SecurityAlerts.HIGH_FAILED_LOGIN_RATE, List.of(), List.of());
        assertPasses(below, "failed-logins-below.yml");
    }

    @Test
    void unauthorizedRequests_401sAnd403sTogetherAboveThreshold_fire() throws Exception {
        PromtoolSuite suite = suite()
                .series("security_unauthorized_requests_total{" + APP + ",instance=\"a:8080\",reason=\"unauthenticated\"}",
                        burst(20, 30))
                .series("security_unauthorized_requests_total{" + APP + ",instance=\"a:8080\",reason=\"forbidden\"}",
                        burst(20, 30))
                .series("security_unauthorized_requests_total{" + OTHER + ",instance=\"c:8080\",reason=\"forbidden\"}",
                        burst(500, 30));
        // 40 a minute: the rate reads 24 at minute 13 and 32 at 14 (pending), then 40; firing 5 minutes later.
        suite.expectAlerts(18, SecurityAlerts.HIGH_UNAUTHORIZED_REQUEST_RATE, List.of(), List.of());
        suite.expectAlerts(19, SecurityAlerts.HIGH_UNAUTHORIZED_REQUEST_RATE,
                List.of(labels("job", "app", "env", "prod", "severity", "warning")),
                List.of(annotations(SecurityAlerts.HIGH_UNAUTHORIZED_REQUEST_RATE,
                        "Many requests refused with 401 or 403 at app",
                        "40.0 requests per minute were answered 401 or 403 over 5m, above 30 per minute for 5m: a scan, "
                                + "or a client whose credentials expired.")));
        assertPasses(suite, "unauthorized.yml");
    }

    @Test
    void exportVolume_600MiBAnHour_firesForThatExportOnly() throws Exception {
        PromtoolSuite suite = suite()
                .series("security_export_bytes_total{" + APP + ",instance=\"a:8080\",export=\"customers-csv\"}",
                        burst(10 * MIB, 100))
                .series("security_export_bytes_total{" + APP + ",instance=\"a:8080\",export=\"audit-log\"}",
                        burst(MIB, 100))
                .series("security_export_bytes_total{" + OTHER + ",instance=\"c:8080\",export=\"customers-csv\"}",
                        burst(100 * MIB, 100));
        // Half an hour in, 300 MiB went out: silent. An hour after the burst began, 600 MiB an hour.
        suite.expectAlerts(40, SecurityAlerts.HIGH_EXPORT_VOLUME, List.of(), List.of());
        suite.expectAlerts(90, SecurityAlerts.HIGH_EXPORT_VOLUME,
                List.of(labels("job", "app", "env", "prod", "export", "customers-csv", "severity", "critical")),
                List.of(annotations(SecurityAlerts.HIGH_EXPORT_VOLUME, "Export customers-csv of app sent out a lot of data",
                        "600MiB went out through customers-csv in the last hour, above 500.0 MiB for 5m.")));
        assertPasses(suite, "export.yml");
    }

    @Test
    void prometheusRules_withSecurityAlerts_passPromtoolCheckRules() throws Exception {
        Promtool.Result result = Promtool.run(new byte[0], "check", "rules", dir.resolve("rules.yml").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 3 rules found");
    }

    @Test
    void runbooksPage_hasASectionForEverySecurityAlert() throws Exception {
        String page = Files.readString(Path.of("RUNBOOKS.md"));
        for (String alert : ALERTS.alertNames()) {
            assertThat(page).as("section of " + alert).contains("\n## " + alert + "\n");
        }
        assertThat(SecurityAlerts.builder().failedLogins(1, Duration.ZERO, Severity.WARNING).build()
                .render("job=\"app\"", "job").get(0).runbookUrl())
                .isEqualTo("https://github.com/opskit/opskit/blob/main/ops-metrics/RUNBOOKS.md#highfailedloginrate");
    }

    @Test
    void builder_badValues_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> SecurityAlerts.builder().failedLogins(0, Duration.ZERO, Severity.WARNING))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("perMinute must be a positive number: 0.0");
        assertThatThrownBy(() -> SecurityAlerts.builder().exportVolume(0, Duration.ZERO, Severity.WARNING))
                .hasMessage("bytesPerHour must be positive: 0");
        assertThatThrownBy(() -> SecurityAlerts.builder().unauthorizedRequests(1, Duration.ofMillis(1500),
                Severity.WARNING)).hasMessage("forDuration must be whole seconds, at most 7 days: PT1.5S");
        assertThatThrownBy(() -> SecurityAlerts.builder().failedLogins(1, Duration.ZERO, Severity.WARNING)
                .failedLogins(2, Duration.ZERO, Severity.WARNING))
                .hasMessage("alert HighFailedLoginRate was already added with severity WARNING");
        assertThat(SecurityAlerts.builder().failedLogins(1, Duration.ZERO, Severity.WARNING)
                .failedLogins(5, Duration.ZERO, Severity.CRITICAL).build().alertNames())
                .containsExactly(SecurityAlerts.HIGH_FAILED_LOGIN_RATE);
    }
}
