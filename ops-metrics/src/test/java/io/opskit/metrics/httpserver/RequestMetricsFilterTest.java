package io.opskit.metrics.httpserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.metrics.RequestIds;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.TraceContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestMetricsFilterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicReference<String> idSeenByHandler = new AtomicReference<>();
    private final AtomicReference<Map<String, String>> mdcSeenByHandler = new AtomicReference<>();
    /** What the MDC of the request thread holds once the exchange is over, seen by an outer filter. */
    private final AtomicReference<Map<String, String>> mdcAfterExchange = new AtomicReference<>();
    private HttpServer server;

    private void start(RequestMetrics metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        RequestMetricsFilter filter = RequestMetricsFilter.of(metrics);
        HttpHandler items = exchange -> {
            idSeenByHandler.set(RequestIds.current().orElse(null));
            mdcSeenByHandler.set(mdc());
            boolean known = exchange.getRequestURI().getPath().equals("/api/items");
            byte[] body = (known ? "items" : "nope").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(known ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
        HttpHandler boom = exchange -> {
            throw new IllegalStateException("handler failed");
        };
        for (HttpContext context : new HttpContext[] {server.createContext("/api/items", items),
                server.createContext("/boom", boom)}) {
            context.getFilters().add(new com.sun.net.httpserver.Filter() {
                @Override
                public void doFilter(com.sun.net.httpserver.HttpExchange exchange, Chain chain) throws IOException {
                    try {
                        chain.doFilter(exchange);
                    } finally {
                        mdcAfterExchange.set(mdc());
                    }
                }

                @Override
                public String description() {
                    return "sees the MDC once the metrics filter is done";
                }
            });
            context.getFilters().add(filter);
        }
        server.start();
    }

    private static Map<String, String> mdc() {
        Map<String, String> copy = org.slf4j.MDC.getCopyOfContextMap();
        return copy == null ? Map.of() : new HashMap<>(copy);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The filter records after the response is sent, so the client may see it first. */
    private long awaitCount(long expected, String... tags) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long count = count(tags);
            if (count >= expected) {
                return count;
            }
            Thread.yield();
        }
        return count(tags);
    }

    private long count(String... tags) {
        return registry.find(RequestMetrics.TIMER).tags(tags).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    @Test
    void doFilter_contextRoute_recordedWithContextPathAndRequestIdEchoed() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry).build());
        HttpResponse<String> response = get("/api/items", "X-Request-Id", "client-id-1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("client-id-1");
        assertThat(idSeenByHandler.get()).isEqualTo("client-id-1");
        assertThat(awaitCount(1, "route", "/api/items", "method", "GET", "status", "200")).isEqualTo(1);
    }

    @Test
    void doFilter_unsafeIncomingId_replacedByGeneratedOne() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry).build());
        HttpResponse<String> response = get("/api/items", "X-Request-Id", "<img src=x>");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValueSatisfying(
                id -> assertThat(id).matches("[0-9a-f]{32}"));
    }

    @Test
    void doFilter_unknownPathUnderPrefixContext_recordedAsNotFound() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry).build());
        for (int i = 0; i < 20; i++) {
            assertThat(get("/api/items/secret-" + i).statusCode()).isEqualTo(404);
        }
        assertThat(awaitCount(20, "route", "NOT_FOUND")).isEqualTo(20);
        // One route value only: the 404 series and the 500 series registered at zero.
        assertThat(registry.find(RequestMetrics.TIMER).timers()).extracting(t -> t.getId().getTag("route"))
                .containsOnly("NOT_FOUND");
    }

    @Test
    void doFilter_handlerThrows_recordsExceptionAndServerError() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry).build());
        try {
            // POST: the client does not retry it when the server drops the connection.
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/boom"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException expected) {
            // The JDK server closes the connection when a handler throws.
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (registry.find(RequestMetrics.TIMER).tags("route", "/boom").timer() == null
                && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(registry.get(RequestMetrics.TIMER).tags("route", "/boom", "method", "POST", "status", "500",
                "exception", "IllegalStateException").timer().count()).isEqualTo(1);
    }

    @Test
    void doFilter_withResolver_usesTemplates() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry)
                .routeResolver(io.opskit.metrics.RouteResolver.templates("/api/items", "/api/items/{id}")).build());
        get("/api/items/17");
        get("/api/items/18");
        assertThat(awaitCount(2, "route", "/api/items/{id}")).isEqualTo(2);
    }

    @Test
    void doFilter_validTraceparent_traceAndSpanIdsInTheMdcBesideRequestIdThenCleared() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry).build());
        get("/api/items", "X-Request-Id", "req-7",
                TraceContext.HEADER, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(mdcSeenByHandler.get()).containsEntry("request_id", "req-7")
                .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
                .containsEntry("span_id", "00f067aa0ba902b7");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (mdcAfterExchange.get() == null && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(mdcAfterExchange.get()).as("the request thread after the exchange")
                .doesNotContainKeys("request_id", "trace_id", "span_id");
    }

    @Test
    void doFilter_invalidTraceparent_ignoredAndNoEarlierTraceLeaksIn() throws Exception {
        start(RequestMetrics.builder().meterRegistry(registry).build());
        get("/api/items", TraceContext.HEADER, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        for (String bad : new String[] {"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f35-00f067aa0ba902b7-01"}) {
            get("/api/items", TraceContext.HEADER, bad);
            assertThat(mdcSeenByHandler.get()).as(bad).containsKey("request_id")
                    .doesNotContainKeys("trace_id", "span_id");
        }
        get("/api/items");
        assertThat(mdcSeenByHandler.get()).doesNotContainKeys("trace_id", "span_id");
    }
}
