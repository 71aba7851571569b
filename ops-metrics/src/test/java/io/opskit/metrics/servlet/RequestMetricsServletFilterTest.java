package io.opskit.metrics.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.metrics.RequestIds;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.SecuritySignals;
import io.opskit.metrics.TraceContext;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestMetricsServletFilterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SecuritySignals security = SecuritySignals.builder().meterRegistry(registry).build();
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicReference<String> idInServlet = new AtomicReference<>();
    private final AtomicReference<Map<String, String>> mdcInServlet = new AtomicReference<>();
    /** What the MDC of the request thread holds once the metrics filter is done, seen by an outer filter. */
    private final AtomicReference<Map<String, String>> mdcAfterFilter = new AtomicReference<>();
    private Server server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).listener(security).build();
        server = new Server(new InetSocketAddress("127.0.0.1", 0));
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                idInServlet.set(RequestIds.current().orElse(null));
                mdcInServlet.set(mdc());
                resp.setContentType("text/plain");
                resp.getWriter().write("item");
            }
        }), "/api/items/*");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                req.setAttribute(RequestMetricsServletFilter.ROUTE_ATTRIBUTE, "/orders/{id}");
                resp.setStatus(204);
            }
        }), "/orders/*");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                throw new IllegalStateException("servlet failed");
            }
        }), "/boom");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                resp.setStatus(req.getHeader("Authorization") == null ? 401 : 403);
            }
        }), "/private");
        ServletHolder async = new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                AsyncContext ctx = req.startAsync();
                ctx.start(() -> {
                    ((HttpServletResponse) ctx.getResponse()).setStatus(202);
                    ctx.complete();
                });
            }
        });
        async.setAsyncSupported(true);
        context.addServlet(async, "/async");
        jakarta.servlet.Filter outer = (request, response, chain) -> {
            try {
                chain.doFilter(request, response);
            } finally {
                mdcAfterFilter.set(mdc());
            }
        };
        context.addFilter(new FilterHolder(outer), "/api/*", EnumSet.of(DispatcherType.REQUEST));
        FilterHolder filter = new FilterHolder(RequestMetricsServletFilter.of(metrics));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    private static Map<String, String> mdc() {
        Map<String, String> copy = org.slf4j.MDC.getCopyOfContextMap();
        return copy == null ? Map.of() : new HashMap<>(copy);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long count(String... tags) {
        return registry.get(RequestMetrics.TIMER).tags(tags).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    /**
     * Waits until a request with these tags has been recorded (the filter records after the response
     * is sent). Not just until such a timer exists: the first request of a route registers its 500
     * series at zero before recording its own.
     */
    private void awaitTimer(String... tags) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (registry.find(RequestMetrics.TIMER).tags(tags).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum() == 0 && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    @Test
    void doFilter_mappedServlet_recordsMappingPatternAndEchoesId() throws Exception {
        HttpResponse<String> response = get("/api/items/42", "X-Request-Id", "jetty-1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("jetty-1");
        assertThat(idInServlet.get()).isEqualTo("jetty-1");
        awaitTimer("route", "/api/items/*", "status", "200");
        assertThat(count("route", "/api/items/*", "status", "200", "outcome", "SUCCESS")).isEqualTo(1);
    }

    @Test
    void doFilter_routeAttribute_winsOverMapping() throws Exception {
        assertThat(get("/orders/7").statusCode()).isEqualTo(204);
        awaitTimer("route", "/orders/{id}", "status", "204");
        assertThat(count("route", "/orders/{id}", "status", "204")).isEqualTo(1);
    }

    @Test
    void doFilter_defaultServlet404_recordedAsNotFound() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(get("/nothing/here/" + i).statusCode()).isEqualTo(404);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (registry.find(RequestMetrics.TIMER).tags("route", "NOT_FOUND").timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum() < 10 && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(count("route", "NOT_FOUND")).isEqualTo(10);
        assertThat(registry.find(RequestMetrics.TIMER).timers()).extracting(t -> t.getId().getTag("route"))
                .containsOnly("NOT_FOUND");
    }

    @Test
    void doFilter_servletThrows_recordsExceptionAs500() throws Exception {
        assertThat(get("/boom").statusCode()).isEqualTo(500);
        awaitTimer("route", "/boom", "status", "500");
        assertThat(count("route", "/boom", "status", "500", "exception", "IllegalStateException")).isEqualTo(1);
    }

    @Test
    void doFilter_asyncRequest_recordedOnCompletion() throws Exception {
        assertThat(get("/async").statusCode()).isEqualTo(202);
        awaitTimer("route", "/async", "status", "202");
        assertThat(count("route", "/async", "status", "202")).isEqualTo(1);
    }

    @Test
    void doFilter_validTraceparent_traceAndSpanIdsInTheMdcThenCleared() throws Exception {
        get("/api/items/1", "X-Request-Id", "jetty-2",
                TraceContext.HEADER, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
        assertThat(mdcInServlet.get()).containsEntry("request_id", "jetty-2")
                .containsEntry("trace_id", "0af7651916cd43dd8448eb211c80319c")
                .containsEntry("span_id", "b7ad6b7169203331");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (mdcAfterFilter.get() == null && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(mdcAfterFilter.get()).doesNotContainKeys("request_id", "trace_id", "span_id");
        get("/api/items/2", TraceContext.HEADER, "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-00");
        assertThat(mdcInServlet.get()).as("an all-zero span id is invalid").doesNotContainKeys("trace_id", "span_id");
    }

    @Test
    void doFilter_401And403Answers_countedAsUnauthorizedRequests() throws Exception {
        get("/private");
        get("/private", "Authorization", "Bearer wrong");
        get("/private", "Authorization", "Bearer wrong");
        // The filter records after the response is sent: wait for the three answers to be counted.
        io.micrometer.core.instrument.Counter unauthenticated = registry.get(SecuritySignals.UNAUTHORIZED_REQUESTS)
                .tag("reason", "unauthenticated").counter();
        io.micrometer.core.instrument.Counter forbidden = registry.get(SecuritySignals.UNAUTHORIZED_REQUESTS)
                .tag("reason", "forbidden").counter();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (unauthenticated.count() + forbidden.count() < 3 && System.nanoTime() < deadline) {
            Thread.yield();
        }
        assertThat(unauthenticated.count()).isEqualTo(1.0);
        assertThat(forbidden.count()).isEqualTo(2.0);
    }
}
