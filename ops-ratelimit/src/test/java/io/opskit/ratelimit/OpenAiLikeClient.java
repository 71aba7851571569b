package io.opskit.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** How a host calls an OpenAI-like provider with the JDK HttpClient inside the guard. */
final class OpenAiLikeClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;

    OpenAiLikeClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    AiCall<String> ask(String question, long maxTokens) {
        return attempt -> {
            String body = JSON.writeValueAsString(java.util.Map.of("model", attempt.model(), "max_tokens", maxTokens,
                    "messages", java.util.List.of(java.util.Map.of("role", "user", "content", question))));
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                    .timeout(attempt.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return ProviderReply.httpError(response.statusCode(), response.headers()::firstValue);
            }
            JsonNode json = JSON.readTree(response.body());
            JsonNode usage = json.path("usage");
            TokenUsage used = new TokenUsage(usage.path("prompt_tokens").asLong(),
                    usage.path("prompt_tokens_details").path("cached_tokens").asLong(),
                    usage.path("completion_tokens").asLong(),
                    usage.path("completion_tokens_details").path("reasoning_tokens").asLong());
            return ProviderReply.ok(json.path("choices").path(0).path("message").path("content").asText(), used);
        };
    }
}
