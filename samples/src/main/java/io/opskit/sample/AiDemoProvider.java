package io.opskit.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A DEMO STAND-IN for a paid AI provider, so the sample runs without an account or network: a tiny
 * HTTP server on 127.0.0.1 (a free port) that speaks the shape of OpenAI's chat completions
 * ({@code POST /v1/chat/completions}, answer with {@code usage}). It answers every question with
 * the same canned thanks and counts tokens as characters / 4. It is not a model and not an
 * OpenAI client; replace its URL with the real provider's in a real application.
 */
final class AiDemoProvider implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private AiDemoProvider(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts the stand-in on a free loopback port. */
    static AiDemoProvider start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "opskit-sample-ai-demo-provider");
            t.setDaemon(true);
            return t;
        });
        AiDemoProvider provider = new AiDemoProvider(server, executor);
        server.createContext("/v1/chat/completions", provider::handle);
        server.setExecutor(executor);
        server.start();
        return provider;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode request;
        try {
            request = HttpResponses.json().readTree(exchange.getRequestBody());
        } catch (IOException e) {
            HttpResponses.sendError(exchange, 400, "request body is not JSON");
            return;
        }
        String model = request.path("model").asText("unknown");
        long prompt = Math.max(1, request.path("messages").toString().length() / 4);
        String reply = "Thank you for your feedback; it has been passed on to the team.";
        long completion = Math.min(request.path("max_tokens").asLong(256), Math.max(1, reply.length() / 4));
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "demo-" + System.nanoTime());
        body.put("object", "chat.completion");
        body.put("model", model);
        body.put("choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                "message", Map.of("role", "assistant", "content", reply))));
        body.put("usage", usage);
        HttpResponses.sendJson(exchange, 200, body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
