package io.opskit.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * A stand-in for a paid AI provider: a real HTTP server on loopback speaking an OpenAI-like chat
 * completions shape. Each request takes the next scripted answer (200 with usage by default).
 */
final class StandInProvider implements AutoCloseable {

    /** One scripted answer. */
    record Answer(int status, Map<String, String> headers, long delayMillis, long promptTokens,
                  long cachedTokens, long completionTokens, long reasoningTokens) {
        static Answer ok(long prompt, long completion) {
            return new Answer(200, Map.of(), 0, prompt, 0, completion, 0);
        }

        static Answer ok(long prompt, long cached, long completion, long reasoning) {
            return new Answer(200, Map.of(), 0, prompt, cached, completion, reasoning);
        }

        static Answer status(int status, Map<String, String> headers) {
            return new Answer(status, headers, 0, 0, 0, 0, 0);
        }

        static Answer slow(long delayMillis) {
            return new Answer(200, Map.of(), delayMillis, 10, 0, 10, 0);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    final List<String> modelsCalled = new CopyOnWriteArrayList<>();

    StandInProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    StandInProvider then(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String model = request.path("model").asText();
            modelsCalled.add(model);
            Answer a = script.poll();
            if (a == null) {
                a = Answer.ok(request.path("messages").toString().length() / 4, 20);
            }
            if (a.delayMillis() > 0) {
                try {
                    Thread.sleep(a.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            String body;
            if (a.status() == 200) {
                body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"" + model + "\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Thanks for the feedback.\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + a.promptTokens()
                        + ",\"completion_tokens\":" + a.completionTokens() + ",\"total_tokens\":"
                        + (a.promptTokens() + a.completionTokens()) + ",\"prompt_tokens_details\":{\"cached_tokens\":"
                        + a.cachedTokens() + "},\"completion_tokens_details\":{\"reasoning_tokens\":"
                        + a.reasoningTokens() + "}}}";
            } else {
                body = "{\"error\":{\"message\":\"scripted " + a.status() + "\",\"type\":\"scripted\"}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException clientGone) {
                // the client timed out and closed; nothing to do
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
