package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opskit.api.Usd;
import io.opskit.api.notify.Severity;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertPackTest {

    @TempDir
    Path dir;

    private static final Duration FIVE = Duration.ofMinutes(5);

    @Test
    void builder_badValues_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> AlertPack.builder().processCpu(1.2, FIVE, Severity.WARNING))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ratio must be above 0 and below 1: 1.2");
        assertThatThrownBy(() -> AlertPack.builder().latency(1, Duration.ofMillis(500), FIVE, Severity.WARNING))
                .hasMessage("quantile must be above 0 and below 1: 1.0");
        assertThatThrownBy(() -> AlertPack.builder().latency(0.95, Duration.ZERO, FIVE, Severity.WARNING))
                .hasMessage("threshold must be positive: PT0S");
        assertThatThrownBy(() -> AlertPack.builder().serviceDown(Duration.ofSeconds(-1), Severity.CRITICAL))
                .hasMessage("forDuration must not be negative: PT-1S");
        assertThatThrownBy(() -> AlertPack.builder().aiDailyCost(Usd.ZERO, FIVE, Severity.WARNING))
                .hasMessage("budget must be positive: $0.00");
        assertThatThrownBy(() -> AlertPack.builder().backupAge(Duration.ofSeconds(90), FIVE, Severity.WARNING))
                .hasMessage("rpo must be whole minutes: PT1M30S");
        assertThatThrownBy(() -> AlertPack.builder().runbookUrl("wiki/{alert}"))
                .hasMessage("runbookUrl must be an absolute http or https URL: 'wiki/{alert}'");
        assertThatThrownBy(() -> AlertPack.builder().runbookUrl("NoSuchAlert", "https://wiki.example.com/x"))
                .hasMessage("alert must be one of the pack's alerts: 'NoSuchAlert'");
        assertThatThrownBy(() -> AlertPack.builder().minRequests(1).minRequests(2))
                .isInstanceOf(IllegalStateException.class).hasMessage("minRequests was already set");
        assertThatThrownBy(() -> AlertPack.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("rule is required");
    }

    @Test
    void builder_sameRuleAndSeverityTwice_throwsButAnotherSeverityIsAdded() {
        AlertPack.Builder b = AlertPack.builder().serverErrorRatio(0.01, FIVE, Severity.WARNING)
                .serverErrorRatio(0.05, Duration.ofMinutes(2), Severity.CRITICAL)
                .latency(0.95, Duration.ofMillis(500), FIVE, Severity.WARNING)
                .latency(0.99, Duration.ofSeconds(2), FIVE, Severity.WARNING);
        assertThatThrownBy(() -> b.serverErrorRatio(0.02, FIVE, Severity.WARNING))
                .hasMessage("alert HighServerErrorRatio was already added with severity WARNING");
        assertThat(b.build().alertNames()).containsExactly("HighServerErrorRatio", "HighRequestLatency");
    }

    @Test
    void runbookUrl_unset_pointsAtOpskitsRunbookSection() {
        AlertPack pack = AlertPack.builder().serviceDown(Duration.ofMinutes(1), Severity.CRITICAL).build();
        String yaml = MetricsExport.builder().job("app").alertPack(pack).build().prometheusRules();
        assertThat(yaml).contains("runbook_url: 'https://github.com/opskit/opskit/blob/main/ops-metrics/RUNBOOKS.md"
                + "#servicedown'");
    }

    @Test
    void runbooksPage_hasASectionForEveryAlert() throws Exception {
        String page = java.nio.file.Files.readString(Path.of("RUNBOOKS.md"));
        for (String alert : everyRule().alertNames()) {
            assertThat(page).as("section of " + alert).contains("\n## " + alert + "\n");
        }
    }

    static AlertPack everyRule() {
        return AlertPack.builder()
                .serviceDown(Duration.ofMinutes(1), Severity.CRITICAL)
                .processCpu(0.8, FIVE, Severity.WARNING).systemCpu(0.8, FIVE, Severity.WARNING)
                .heapUsage(0.85, FIVE, Severity.WARNING).diskFree(0.1, FIVE, Severity.CRITICAL)
                .serverErrorRatio(0.01, FIVE, Severity.WARNING)
                .latency(0.95, Duration.ofMillis(500), FIVE, Severity.WARNING)
                .dbPoolUsage(0.85, FIVE, Severity.WARNING)
                .aiLatency(0.95, Duration.ofSeconds(15), FIVE, Severity.WARNING)
                .aiDailyCost(Usd.ofDollars(100), Duration.ZERO, Severity.WARNING)
                .aiRateLimited(0, Duration.ZERO, Severity.WARNING).aiErrorRatio(0.05, FIVE, Severity.WARNING)
                .backupAge(Duration.ofHours(26), Duration.ZERO, Severity.CRITICAL)
                .tlsExpiry(Duration.ofDays(14), Duration.ZERO, Severity.WARNING)
                .build();
    }

    @Test
    void metricNames_ofOpskitAndMicrometerMeters_areThoseThePrometheusRegistryExports() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new DiskSpaceMetrics(dir.toFile()).bindTo(registry);
        RequestMetrics requests = RequestMetrics.builder().meterRegistry(registry).histogram(true).build();
        requests.stop(requests.start(), "GET", "/api/items", 200, null);
        X509Certificate certificate = certificate();
        TlsCertificateGauges.of("api", () -> List.of(certificate)).bindTo(registry);
        String scrape = registry.scrape();
        // Series of other modules (ops-ratelimit, ops-backup) are checked where the sample wires them.
        Set<String> own = Set.of("up", "db_pool_usage_ratio", "gen_ai_client_operation_duration_seconds_bucket",
                "gen_ai_client_operation_duration_seconds_count", "ai_cost_usd_total", "ai_requests_rejected_total",
                "ai_provider_errors_total", "opskit_backup_last_success_timestamp_seconds");
        for (String name : everyRule().metricNames()) {
            if (!own.contains(name)) {
                assertThat(scrape).as(name).containsPattern("(?m)^" + name + "[{ ]");
            }
        }
        assertThat(scrape).containsPattern("(?m)^tls_certificate_expiry_timestamp_seconds\\{certificate=\"api\"\\} "
                + "1\\.953806311E9$");
    }

    @Test
    void tlsGauge_chainThrows_readsNaN() {
        TlsCertificateGauges gauge = TlsCertificateGauges.of("api", () -> {
            throw new IllegalStateException("keystore moved");
        });
        assertThat(gauge.expiresAtEpochSeconds()).isNaN();
        assertThat(TlsCertificateGauges.of("empty", List::of).expiresAtEpochSeconds()).isNaN();
    }

    @Test
    void build_latencyThresholdNotABucketEdge_throwsNamingIt() {
        AlertPack pack = AlertPack.builder().latency(0.95, Duration.ofMillis(1200), FIVE, Severity.WARNING).build();
        RequestMetrics withHistogram = RequestMetrics.builder().histogram(true).build();
        assertThatThrownBy(() -> MetricsExport.builder().job("app").alertPack(pack).requestMetrics(withHistogram).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("alert HighRequestLatency threshold 1s200ms is not a bucket edge");
        RequestMetrics withoutHistogram = RequestMetrics.builder().build();
        assertThatThrownBy(() -> MetricsExport.builder().job("app").alertPack(pack).requestMetrics(withoutHistogram)
                .build()).hasMessageContaining("needs the request histogram, which is off");
        RequestMetrics withEdge = RequestMetrics.builder().histogram(true)
                .buckets(List.of(Duration.ofMillis(500), Duration.ofMillis(1200), Duration.ofSeconds(5))).build();
        assertThat(MetricsExport.builder().job("app").alertPack(pack).requestMetrics(withEdge).build()
                .prometheusRules()).contains("histogram_quantile(0.95, sum by (job, le)");
    }

    /** A self-signed certificate valid until 2031-11-30T11:58:31Z (openssl req -x509 -days 1825, EC P-256). */
    static X509Certificate certificate() throws Exception {
        byte[] der = Base64.getMimeDecoder().decode(CERTIFICATE);
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    static final String CERTIFICATE = "MIIBiTCCAS+gAwIBAgIURxAXahK40oe+t75bTKn0ArFXqGgwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPYXBpLmV4YW1wbGUuY29t"
            + "MB4XDTI2MTIwMTExNTgzMVoXDTMxMTEzMDExNTgzMVowGjEYMBYGA1UEAwwPYXBpLmV4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYI"
            + "KoZIzj0DAQcDQgAE7lznX0bXwvR+MGAjMDh2ODPXe/qKlLGe/DU1Nus04adOhGPp2FOLTiAXKzE5ZQmvWFJcdig+0XH8XqewGUo4"
            + "YKNTMFEwHQYDVR0OBBYEFArkERKZdRNm1pG8a4e/i9CwZZe6MB8GA1UdIwQYMBaAFArkERKZdRNm1pG8a4e/i9CwZZe6MA8GA1Ud"
            + "EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhANTyViM+o1NbbLlXM9yiOQ8cuBCDg/lRjAMrsrQoraNvAiAh4CrxNMrTDI7XPLhmNmSBUU9UuWA+YDcuWmspsPv0lA==";
}
