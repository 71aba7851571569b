package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.Usd;
import io.opskit.ratelimit.StandInProvider.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the README's ops-ratelimit snippet compiling and working against a loopback stand-in. */
class ReadmeExampleTest {

    private static final Logger log = LoggerFactory.getLogger(ReadmeExampleTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String chatJson(String model) throws Exception {
        return JSON.writeValueAsString(Map.of("model", model, "max_tokens", 400,
                "messages", List.of(Map.of("role", "user", "content", "Summarise this feedback."))));
    }

    private static TokenUsage usageOf(String body) throws Exception {
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
            // README snippet start
            AiGuard guard = AiGuard.builder()
                    .prices(PriceTable.fromJson(pricesJson))          // your dated price table: Opskit ships none
                    .model(ModelPolicy.builder("openai", "gpt-4o")
                            .requestsPerMinute(500).tokensPerMinute(30_000)
                            .maxConcurrent(3, Duration.ofSeconds(2))  // AI_MAX_CONCURRENT=3, wait up to 2 s
                            .contextWindow(128_000)
                            .dailyBudgetUsd(50, 100)                   // warn once at $50, refuse at $100 a day
                            .build())
                    .model(ModelPolicy.builder("openai", "gpt-4o-mini")
                            .contextWindow(128_000).dailyBudgetUsd(20, 40).build())
                    .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
                    .appBudget(BudgetLimits.daily(Usd.parse("80"), Usd.parse("100"))) // the whole app: $100 a day
                    .zone(ZoneId.of("Europe/Berlin"))                   // budget days start at midnight there
                    .meterRegistry(registry)
                    .notifier(event -> log.warn(event.summary()))
                    .build();

            AiResult<String> answer = guard.call(AiRequest.chat("openai", "gpt-4o", 900, 400), attempt -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(providerUrl))
                        .timeout(attempt.timeout())
                        .POST(HttpRequest.BodyPublishers.ofString(chatJson(attempt.model())))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return ProviderReply.httpError(response.statusCode(), response.headers()::firstValue);
                }
                return ProviderReply.ok(response.body(), usageOf(response.body()));
            });
            log.info("{} answered for {}", answer.model(), answer.cost());
            // README snippet end

            // gpt-4o answered 429: paused, and gpt-4o-mini answered at its own price.
            assertThat(answer.model()).isEqualTo("gpt-4o-mini");
            assertThat(answer.cost().micros()).isEqualTo(900 * 150_000L / 1_000_000 + 120 * 600_000L / 1_000_000);
            assertThat(guard.budgets()).extracting(BudgetStatus::scope)
                    .containsExactly("app/day", "openai/gpt-4o/day", "openai/gpt-4o-mini/day");
            assertThat(registry.get("ai.provider.errors").tag("error.type", "http_429").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void readme_containsThisSnippetVerbatim() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## ops-ratelimit"));
        int open = section.indexOf("```java") + "```java".length();
        String block = section.substring(open, section.indexOf("```\n", open));
        String source = Files.readString(Path.of("src/test/java/io/opskit/ratelimit/ReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// README snippet start\n") + 24,
                source.indexOf("            // README snippet end"));

        assertThat(normalize(block)).isEqualTo(normalize(snippet));
    }

    private static String normalize(String code) {
        List<String> lines = code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
        return String.join("\n", lines);
    }
}
