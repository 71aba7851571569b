package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deploy gate's Prometheus source against a loopback HTTP server that answers
 * {@code /api/v1/query} with the JSON shapes a Prometheus server sends: success vectors (one series,
 * several, none), errors with their {@code errorType}, a proxy's non-JSON 503, and no answer in time.
 */
class PrometheusGateSourceTest {

    static final Slo AVAILABILITY = Slo.availability("api-availability", 0.999);
    static final Slo LATENCY = Slo.latency("api-latency", 0.95, Duration.ofMillis(200));

    record Answer(int status, String body) {
    }

    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;

    private URI serve(String prefix, Function<String, Answer> answers) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> answer(exchange, answers));
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + prefix);
    }

    private void answer(HttpExchange exchange, Function<String, Answer> answers) throws IOException {
        paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
        String raw = exchange.getRequestURI().getRawQuery();
        String query = URLDecoder.decode(raw.substring("query=".length()), StandardCharsets.UTF_8);
        queries.add(query);
        Answer a = answers.apply(query);
        if (a == null) {
            try {
                release.await(10, TimeUnit.SECONDS); // never answers in time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(a.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    static Answer vector(double... values) {
        StringBuilder result = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                result.append(',');
            }
            result.append("{\"metric\":{\"job\":\"shop\",\"env\":\"prod\"},\"value\":[1764590400.781,\"")
                    .append(values[i]).append("\"]}");
        }
        return new Answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result
                + "]},\"warnings\":[]}");
    }

    static MetricsExport export() {
        return MetricsExport.builder().job("shop").selectorLabel("env", "prod")
                .slos(SloTracker.builder().slo(AVAILABILITY).slo(LATENCY).build()).build();
    }

    static DeployGate gate() {
        return DeployGate.builder().slo(AVAILABILITY).slo(LATENCY).window(Duration.ofMinutes(30)).build();
    }

    static final String SELECTOR = "job=\"shop\",env=\"prod\",route!~\"/admin(/.*)?|/health(/.*)?|/metrics(/.*)?\","
            + "outcome!=\"REFUSED\"";

    @Test
    void evaluate_vectors_sumTheFleetAndQueryTheServicesRequests() throws Exception {
        URI base = serve("", q -> {
            if (q.contains("outcome=~")) {
                return vector(30, 12.5); // bad requests on two series (summed)
            }
            if (q.contains("le=\"0.2\"")) {
                return vector(9_400);
            }
            return vector(10_000);
        });
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));

        assertThat(queries).containsExactly(
                "sum by (job, env) (increase(http_server_requests_seconds_count{" + SELECTOR + "}[30m]))",
                "sum by (job, env) (increase(http_server_requests_seconds_count{" + SELECTOR
                        + ",outcome=~\"SERVER_ERROR|UNKNOWN\"}[30m]))",
                "sum by (job, env) (increase(http_server_requests_seconds_count{" + SELECTOR + "}[30m]))",
                "sum by (job, env) (increase(http_server_requests_seconds_bucket{" + SELECTOR + ",le=\"0.2\"}[30m]))");
        assertThat(paths).allMatch(p -> p.equals("GET /api/v1/query"));
        assertThat(report.source()).isEqualTo("prometheus " + base);
        GateCheck availability = report.checks().get(0);
        assertThat(availability.events()).isEqualTo(10_000.0);
        assertThat(availability.badEvents()).isEqualTo(42.5);
        assertThat(availability.verdict()).isEqualTo(GateVerdict.FAIL);
        GateCheck latency = report.checks().get(1);
        assertThat(latency.badEvents()).isEqualTo(600.0);
        assertThat(latency.verdict()).isEqualTo(GateVerdict.FAIL);
        assertThat(latency.reason()).startsWith("error ratio 6 % above 5 %");
        assertThat(report.verdict()).isEqualTo(GateVerdict.FAIL);
    }

    @Test
    void evaluate_noSeriesYet_isInconclusiveWithZeroRequests() throws Exception {
        URI base = serve("", q -> vector());
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
        assertThat(report.checks()).allSatisfy(c -> assertThat(c.reason())
                .isEqualTo("0 requests in 30m, fewer than the 100 needed to judge"));
    }

    @Test
    void evaluate_requestsButNoLatencyBucket_isInconclusiveNamingTheBucket() throws Exception {
        URI base = serve("", q -> q.contains("_bucket") ? vector() : q.contains("outcome=~") ? vector(0) : vector(5_000));
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));
        assertThat(report.checks().get(0).verdict()).isEqualTo(GateVerdict.PASS);
        assertThat(report.checks().get(1).reason()).isEqualTo("no figures: Prometheus has no histogram bucket "
                + "le=\"0.2\" for latency slo 'api-latency': publish the request histogram with that threshold as an edge");
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
    }

    @Test
    void evaluate_prometheusError_isInconclusiveWithItsMessage() throws Exception {
        URI base = serve("", q -> new Answer(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                + "\"error\":\"1:52: parse error: unexpected \\\"}\\\" in label matching\"}"));
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
        assertThat(report.checks().get(0).reason()).isEqualTo("no figures: prometheus " + base
                + " refused the query for slo 'api-availability' (HTTP 400): 1:52: parse error: unexpected \"}\" in "
                + "label matching");
    }

    @Test
    void evaluate_proxyAnswersHtml_isInconclusiveSayingSo() throws Exception {
        URI base = serve("", q -> new Answer(503, "<html><body>Service Unavailable</body></html>"));
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));
        assertThat(report.checks().get(0).reason()).startsWith("no figures: prometheus " + base
                + " answered HTTP 503 with no JSON for slo 'api-availability': not JSON at character 0");
    }

    @Test
    void evaluate_serverDown_isInconclusiveNamingIt() throws Exception {
        URI base = serve("", q -> vector(1));
        server.stop(0);
        server = null;
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
        assertThat(report.checks().get(0).reason()).startsWith("no figures: prometheus " + base + " cannot be reached");
    }

    @Test
    void evaluate_noAnswerInTime_isInconclusiveNamingTheTimeout() throws Exception {
        URI base = serve("", q -> null);
        GateReport report = DeployGate.builder().slo(AVAILABILITY).window(Duration.ofMinutes(5)).build()
                .evaluate(GateSource.prometheus(base, export(), Duration.ofMillis(300)));
        assertThat(report.checks().get(0).reason()).isEqualTo("no figures: prometheus " + base
                + " did not answer within 300ms for slo 'api-availability'");
    }

    @Test
    void prometheus_basePathPrefix_isKept() throws Exception {
        URI base = serve("/prometheus", q -> vector(1000));
        GateReport report = gate().evaluate(GateSource.prometheus(base, export()));
        assertThat(paths).allMatch(p -> p.equals("GET /prometheus/api/v1/query"));
        assertThat(report.verdict()).isEqualTo(GateVerdict.FAIL); // every request is bad in this answer
    }

    @Test
    void prometheus_badBaseUri_throwsWithoutEchoingCredentials() {
        assertThatThrownBy(() -> GateSource.prometheus(URI.create("ftp://prometheus:9090"), export()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUri must be an absolute http or https URI without query or user info: ftp://prometheus");
        assertThatThrownBy(() -> GateSource.prometheus(URI.create("http://admin:s3cret@prometheus:9090"), export()))
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void evaluate_nonCountValue_isInconclusive() throws Exception {
        URI base = serve("", q -> new Answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"metric\":{},\"value\":[1764590400,\"NaN\"]}]}}"));
        GateReport report = DeployGate.builder().slo(AVAILABILITY).window(Duration.ofMinutes(5)).build()
                .evaluate(GateSource.prometheus(base, export()));
        assertThat(report.checks().get(0).reason()).endsWith("answered NaN for slo 'api-availability', not a count of "
                + "requests");
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
    }
}
