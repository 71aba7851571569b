package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opskit.metrics.SecuritySignals.AuthFailure;
import io.opskit.metrics.SecuritySignals.Denial;
import io.opskit.metrics.httpserver.RequestMetricsFilter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SecuritySignalsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private SecuritySignals signals() {
        return SecuritySignals.builder().meterRegistry(registry).export("customers-csv").export("audit-log").build();
    }

    private double value(String series, String tag, String value) {
        Matcher m = Pattern.compile("(?m)^" + series + "\\{" + tag + "=\"" + Pattern.quote(value) + "\"} (\\S+)$")
                .matcher(registry.scrape());
        assertThat(m.find()).as("%s{%s=\"%s\"} in\n%s", series, tag, value, registry.scrape()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void build_everyReasonDenialAndExport_registeredAtZero() {
        signals();
        for (AuthFailure reason : AuthFailure.values()) {
            assertThat(value("security_authentication_failures_total", "reason", reason.wireName())).isZero();
        }
        assertThat(value("security_unauthorized_requests_total", "reason", "unauthenticated")).isZero();
        assertThat(value("security_unauthorized_requests_total", "reason", "forbidden")).isZero();
        assertThat(value("security_export_bytes_total", "export", "customers-csv")).isZero();
        assertThat(value("security_export_bytes_total", "export", "audit-log")).isZero();
        assertThat(value("security_export_bytes_total", "export", "other")).isZero();
        assertThat(AuthFailure.BAD_CREDENTIALS.wireName()).isEqualTo("bad_credentials");
    }

    @Test
    void loginFailed_countsTheReasonOnly() {
        SecuritySignals signals = signals();
        signals.loginFailed(AuthFailure.BAD_CREDENTIALS);
        signals.loginFailed(AuthFailure.BAD_CREDENTIALS);
        signals.loginFailed(AuthFailure.ACCOUNT_LOCKED);
        assertThat(value("security_authentication_failures_total", "reason", "bad_credentials")).isEqualTo(2.0);
        assertThat(value("security_authentication_failures_total", "reason", "account_locked")).isEqualTo(1.0);
        assertThat(value("security_authentication_failures_total", "reason", "unknown_account")).isZero();
        // The counter has one tag, reason, with the enum's wire names: nothing else can become a value.
        assertThat(registry.get(SecuritySignals.AUTHENTICATION_FAILURES).counters())
                .allSatisfy(c -> assertThat(c.getId().getTags()).singleElement()
                        .satisfies(t -> assertThat(t.getKey()).isEqualTo("reason")))
                .hasSize(AuthFailure.values().length);
    }

    @Test
    void requestFilter_401And403Answers_countedAsUnauthorizedRequests() throws Exception {
        SecuritySignals signals = signals();
        RequestMetrics requests = RequestMetrics.builder().meterRegistry(registry).listener(signals).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/admin", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            int status = auth == null ? 401 : auth.equals("Bearer ok") ? 200 : 403;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }).getFilters().add(RequestMetricsFilter.of(requests));
        server.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/admin");
            for (String auth : new String[] {null, null, null, "Bearer guess", "Bearer ok"}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(uri);
                if (auth != null) {
                    b.header("Authorization", auth);
                }
                client.send(b.build(), HttpResponse.BodyHandlers.discarding());
            }
            // The filter records just after the response is sent (timer first, then the listeners):
            // wait for the fifth request and the fourth refusal.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((registry.find(RequestMetrics.TIMER).timers().stream().mapToLong(t -> t.count()).sum() < 5
                    || registry.find(SecuritySignals.UNAUTHORIZED_REQUESTS).counters().stream()
                            .mapToDouble(c -> c.count()).sum() < 4)
                    && System.nanoTime() < deadline) {
                Thread.yield();
            }
        } finally {
            server.stop(0);
        }
        assertThat(value("security_unauthorized_requests_total", "reason", "unauthenticated")).isEqualTo(3.0);
        assertThat(value("security_unauthorized_requests_total", "reason", "forbidden")).isEqualTo(1.0);
        assertThat(registry.scrape()).doesNotContain("guess").doesNotContain("Bearer");
    }

    @Test
    void requestDenied_outsideTheFilters_countsThatReason() {
        SecuritySignals signals = signals();
        signals.requestDenied(Denial.FORBIDDEN);
        assertThat(value("security_unauthorized_requests_total", "reason", "forbidden")).isEqualTo(1.0);
    }

    @Test
    void exported_declaredAndUndeclaredNames_boundedTagValues() {
        SecuritySignals signals = signals();
        signals.exported("customers-csv", 1_048_576);
        signals.exported("customers-csv", 1_024);
        try (LogCapture logs = new LogCapture()) {
            signals.exported("users-of-tenant-4711", 10);
            signals.exported("users-of-tenant-4712", 20);
            assertThat(logs.lines()).filteredOn(l -> l.contains("export name not declared")).hasSize(1);
        }
        assertThat(value("security_export_bytes_total", "export", "customers-csv")).isEqualTo(1_049_600.0);
        assertThat(value("security_export_bytes_total", "export", "other")).isEqualTo(30.0);
        assertThat(registry.scrape()).doesNotContain("tenant");
        assertThat(signals.exports()).containsExactlyInAnyOrder("customers-csv", "audit-log");
    }

    @Test
    void builderAndArguments_bad_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> SecuritySignals.builder().export("Customers"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("export must be lower-case letters, digits, '_', '.' or '-', starting with a letter, "
                        + "and not 'other': 'Customers'");
        assertThatThrownBy(() -> SecuritySignals.builder().export("other")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecuritySignals.builder().export("a").export("a"))
                .hasMessage("export was already declared: 'a'");
        assertThatThrownBy(() -> SecuritySignals.builder().meterRegistry(registry).meterRegistry(registry))
                .isInstanceOf(IllegalStateException.class).hasMessage("meterRegistry was already set");
        assertThatThrownBy(() -> signals().exported("customers-csv", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bytes must not be negative: -1");
        assertThatThrownBy(() -> signals().loginFailed(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("reason");
    }

    @Test
    void noRegistry_recordsNothingAndDoesNotFail() {
        SecuritySignals signals = SecuritySignals.builder().build();
        signals.loginFailed(AuthFailure.OTHER);
        signals.exported("anything", 5);
        signals.onRequest("GET", "/", 401, false, false, 1);
        assertThat(registry.getMeters()).isEmpty();
    }
}
