package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.ratelimit.StandInProvider.Answer;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's ops-ratelimit snippet, compiled from the README and run against a loopback stand-in. */
public class ReadmeExampleTest {

    private static final Logger log = LoggerFactory.getLogger(ReadmeExampleTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Public: the compiled snippet calls it as the host's own code. */
    public static String chatJson(String model) throws Exception {
        return JSON.writeValueAsString(Map.of("model", model, "max_tokens", 400,
                "messages", List.of(Map.of("role", "user", "content", "Summarise this feedback."))));
    }

    /** Public: the compiled snippet calls it as the host's own code. */
    public static TokenUsage usageOf(String body) throws Exception {
        JsonNode usage = JSON.readTree(body).path("usage");
        return TokenUsage.of(usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong());
    }

    @Test
    void readmeSnippet_guardsARealHttpCall() throws Exception {
        try (StandInProvider provider = new StandInProvider()) {
            provider.then(Answer.status(429, Map.of("retry-after-ms", "10")), Answer.ok(900, 120));
            String pricesJson = Fixtures.PRICES;
            String providerUrl = provider.baseUrl() + "/v1/chat/completions";
            HttpClient http = HttpClient.newHttpClient();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            List<?> built = (List<?>) ReadmeSnippets.forProject().section("## ops-ratelimit")
                    // the host's own JSON code, which the snippet calls
                    .withMembers("static String chatJson(String model) throws Exception {"
                            + " return io.opskit.ratelimit.ReadmeExampleTest.chatJson(model); }\n"
                            + "static io.opskit.ratelimit.TokenUsage usageOf(String body) throws Exception {"
                            + " return io.opskit.ratelimit.ReadmeExampleTest.usageOf(body); }")
                    .compile("java.util.List.of(guard, answer)", Param.of(String.class, "pricesJson"),
                            Param.of(String.class, "providerUrl"), Param.of(HttpClient.class, "http"),
                            Param.of(MeterRegistry.class, "registry"), Param.of(Logger.class, "log"))
                    .run(pricesJson, providerUrl, http, registry, log);
            AiGuard guard = (AiGuard) built.get(0);
            @SuppressWarnings("unchecked")
            AiResult<String> answer = (AiResult<String>) built.get(1);

            // gpt-4o answered 429: paused, and gpt-4o-mini answered at its own price.
            assertThat(answer.model()).isEqualTo("gpt-4o-mini");
            assertThat(answer.cost().micros()).isEqualTo(900 * 150_000L / 1_000_000 + 120 * 600_000L / 1_000_000);
            assertThat(guard.budgets()).extracting(BudgetStatus::scope)
                    .containsExactly("app/day", "openai/gpt-4o/day", "openai/gpt-4o-mini/day");
            assertThat(registry.get("ai.provider.errors").tag("error.type", "http_429").counter().count()).isEqualTo(1);
        }
    }
}
