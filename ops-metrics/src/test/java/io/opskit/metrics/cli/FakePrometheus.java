package io.opskit.metrics.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** A loopback HTTP server answering {@code /api/v1/query} with success vectors of one value per query. */
final class FakePrometheus implements AutoCloseable {

    private final HttpServer server;

    /** @param values the value of each query (NaN: an empty vector) */
    FakePrometheus(Function<String, Double> values) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/query", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("query=".length()),
                    StandardCharsets.UTF_8);
            double v = values.apply(query);
            String result = Double.isNaN(v) ? "" : "{\"metric\":{\"job\":\"shop\"},\"value\":[1764590400,\"" + v + "\"]}";
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
