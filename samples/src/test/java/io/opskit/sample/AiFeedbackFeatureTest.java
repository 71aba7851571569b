package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /api/feedback through the AI guard against the sample's demo stand-in provider. */
class AiFeedbackFeatureTest {

    private static final String TOKEN = "ai-admin-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("OPSKIT_ADMIN_TOKEN", TOKEN);
        return SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false, env));
    }

    private HttpResponse<String> post(SampleApp app, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/feedback"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(SampleApp app, String path, boolean admin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (admin) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return HttpResponses.json().readTree(response.body());
    }

    @Test
    void feedback_validText_answersWithModelTokensAndCost() throws Exception {
        try (SampleApp app = start(Map.of())) {
            HttpResponse<String> response = post(app, "{\"text\": \"The checkout page is slow on mobile.\"}");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = json(response);
            assertThat(body.path("model").asText()).isEqualTo("gpt-4o");
            assertThat(body.path("reply").asText()).contains("feedback");
            assertThat(body.path("tokens").path("input").asLong()).isPositive();
            assertThat(body.path("tokens").path("output").asLong()).isPositive();
            assertThat(body.path("costUsd").decimalValue()).isPositive();

            HttpResponse<String> budget = get(app, "/admin/budget", true);
            assertThat(budget.statusCode()).isEqualTo(200);
            JsonNode day = json(budget).path("budgets").path(0);
            assertThat(day.path("scope").asText()).as("the whole app's line comes first").isEqualTo("app/day");
            assertThat(json(budget).path("budgets").path(1).path("scope").asText()).isEqualTo("openai/gpt-4o/day");
            assertThat(day.path("period").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
            assertThat(day.path("spentUsd").decimalValue()).isEqualByComparingTo(body.path("costUsd").decimalValue());
            assertThat(day.path("reservedUsd").decimalValue()).isZero();
            assertThat(day.path("hardLimitUsd").decimalValue()).isEqualByComparingTo("100");
            assertThat(day.path("remainingUsd").decimalValue())
                    .isEqualByComparingTo(day.path("hardLimitUsd").decimalValue().subtract(day.path("spentUsd").decimalValue()));
            assertThat(get(app, "/admin/budget", false).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void feedback_malformedInput_answers400WithReason() throws Exception {
        try (SampleApp app = start(Map.of())) {
            assertThat(post(app, "not json")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(r.body()).contains("body must be JSON");
            });
            assertThat(post(app, "{\"txt\": \"hi\"}").body()).contains("text is required and must be a string");
            assertThat(post(app, "{\"text\": 42}").statusCode()).isEqualTo(400);
            assertThat(post(app, "{\"text\": \"   \"}").body()).contains("text must not be blank");
            assertThat(post(app, "{\"text\": \"" + "x".repeat(4_001) + "\"}").body())
                    .contains("text must be at most 4000 characters: 4001");
            assertThat(get(app, "/api/feedback", false).statusCode()).isEqualTo(405);
        }
    }

    @Test
    void feedback_overRequestsPerMinute_fallsBackThenAnswers429WithRetryAfter() throws Exception {
        try (SampleApp app = start(Map.of("OPSKIT_AI_REQUESTS_PER_MINUTE", "1"))) {
            assertThat(json(post(app, "{\"text\": \"one\"}")).path("model").asText()).isEqualTo("gpt-4o");
            assertThat(json(post(app, "{\"text\": \"two\"}")).path("model").asText()).isEqualTo("gpt-4o-mini");

            HttpResponse<String> refused = post(app, "{\"text\": \"three\"}");

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
            assertThat(json(refused).path("refusedBy").asText()).isEqualTo("requests_per_minute");
            assertThat(json(refused).path("model").asText()).isEqualTo("gpt-4o");
        }
    }

    @Test
    void feedback_dailyBudgetSpent_answers503NamingTheLimit() throws Exception {
        // A long text: gpt-4o's worst case (~5.6 milli-USD) fits the 6 milli-USD day once, then
        // gpt-4o-mini takes over until its own day is spent too (~160 micro-USD a call).
        String longText = "{\"text\": \"" + "Please add dark mode. ".repeat(180) + "\"}";
        try (SampleApp app = start(Map.of("OPSKIT_AI_BUDGET_DAILY_SOFT_USD", "0.005",
                "OPSKIT_AI_BUDGET_DAILY_HARD_USD", "0.006", "OPSKIT_AI_TOKENS_PER_MINUTE", "1000000"))) {
            HttpResponse<String> last = null;
            for (int i = 0; i < 80; i++) {
                last = post(app, longText);
                if (last.statusCode() != 200) {
                    break;
                }
            }
            assertThat(last.statusCode()).isEqualTo(503);
            assertThat(json(last).path("refusedBy").asText()).isEqualTo("daily_budget");
            assertThat(last.headers().firstValue("Retry-After")).isPresent();
            JsonNode budgets = json(get(app, "/admin/budget", true)).path("budgets");
            for (JsonNode b : budgets) {
                assertThat(b.path("spentUsd").decimalValue().add(b.path("reservedUsd").decimalValue()))
                        .isLessThanOrEqualTo(b.path("hardLimitUsd").decimalValue());
            }
        }
    }

    @Test
    void health_includesProviderCheck() throws Exception {
        try (SampleApp app = start(Map.of())) {
            HttpResponse<String> health = get(app, "/health", true);

            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode check = json(health).path("checks").path("ai-provider-openai");
            assertThat(check.path("status").asText()).isEqualTo("UP");
        }
    }
}
