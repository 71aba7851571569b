package io.opskit.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.opskit.api.Usd;
import io.opskit.api.health.Probe;
import io.opskit.api.notify.Notifier;
import io.opskit.ratelimit.AiCall;
import io.opskit.ratelimit.AiGuard;
import io.opskit.ratelimit.AiGuardException;
import io.opskit.ratelimit.AiRequest;
import io.opskit.ratelimit.AiResult;
import io.opskit.ratelimit.BudgetLimits;
import io.opskit.ratelimit.BudgetStatus;
import io.opskit.ratelimit.ConcurrencyFullException;
import io.opskit.ratelimit.ModelPolicy;
import io.opskit.ratelimit.PriceTable;
import io.opskit.ratelimit.ProviderReply;
import io.opskit.ratelimit.RateLimitedException;
import io.opskit.ratelimit.RetryPolicy;
import io.opskit.ratelimit.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample's AI feature: {@code POST /api/feedback} takes {@code {"text": "..."}} and asks a model
 * for a reply through the {@link AiGuard} (gpt-4o, falling back to gpt-4o-mini), with the daily
 * budget of the operations manuals ($50 soft, $100 hard, {@code AI_MAX_CONCURRENT=3}).
 * {@code GET /admin/budget} shows every budget; the provider's health joins {@code /health}.
 *
 * <p>The provider is {@link AiDemoProvider}, a demo stand-in on loopback started with the sample.
 * Settings ({@code OPSKIT_<KEY>} overrides): {@code ai.budget.daily.soft.usd} (50),
 * {@code ai.budget.daily.hard.usd} (100), {@code ai.budget.zone} (UTC), {@code ai.max.concurrent} (3),
 * {@code ai.requests.per.minute} (500), {@code ai.tokens.per.minute} (30000).
 */
final class AiFeedbackFeature implements SampleFeature {

    private static final Logger log = LoggerFactory.getLogger(AiFeedbackFeature.class);
    private static final String PRICES = "ai-prices.example.json";
    private static final int MAX_TEXT_CHARS = 4_000;
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long MAX_OUTPUT_TOKENS = 300;
    /** The default hard daily budget, USD ({@code ai.budget.daily.hard.usd}). */
    static final String DEFAULT_HARD_USD = "100";

    @Override
    public void install(SampleHost host) throws Exception {
        AiDemoProvider provider = AiDemoProvider.start();
        host.onClose(provider);
        AiGuard guard = buildGuard(host);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String url = provider.baseUrl() + "/v1/chat/completions";
        log.info("AI feedback uses the DEMO STAND-IN provider at {} (not a real model)", provider.baseUrl());

        host.route("/api/feedback", exchange -> {
            if (!SampleHost.isMethod(exchange, "POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                HttpResponses.sendError(exchange, 405, "method not allowed: use POST with {\"text\": \"...\"}");
                return;
            }
            String text;
            try {
                text = readText(exchange);
            } catch (BadFeedback bad) {
                HttpResponses.sendError(exchange, 400, bad.getMessage());
                return;
            }
            long inputTokens = (text.length() + 3) / 4 + 50; // the prompt wraps the text in ~200 characters
            try {
                AiResult<String> result = guard.call(AiRequest.chat("openai", "gpt-4o", inputTokens, MAX_OUTPUT_TOKENS),
                        ask(http, url, text));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("provider", result.provider());
                body.put("model", result.model());
                body.put("reply", result.value());
                body.put("tokens", Map.of("input", result.usage().inputTokens(), "output", result.usage().outputTokens()));
                body.put("costUsd", result.cost().toBigDecimal());
                body.put("attempts", result.attempts());
                HttpResponses.sendJson(exchange, 200, body);
            } catch (AiGuardException refused) {
                refuse(exchange, refused);
            }
        });

        host.adminRoute("/admin/budget", exchange -> {
            if (!SampleHost.isMethod(exchange, "GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                HttpResponses.sendError(exchange, 405, "method not allowed");
                return;
            }
            List<Map<String, Object>> budgets = new ArrayList<>();
            for (BudgetStatus b : guard.budgets()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("level", b.level());
                m.put("scope", b.scope());
                m.put("period", b.period());
                m.put("spentUsd", b.spent().toBigDecimal());
                m.put("reservedUsd", b.reserved().toBigDecimal());
                m.put("remainingUsd", b.remaining().toBigDecimal());
                m.put("softLimitUsd", b.soft().toBigDecimal());
                m.put("hardLimitUsd", b.hard().toBigDecimal());
                budgets.add(m);
            }
            HttpResponses.sendJson(exchange, 200, Map.of("prices", guard.prices().version(), "budgets", budgets));
        });

        // Non-critical: without the AI the sample still serves everything else, so it degrades.
        host.healthCheck("ai-provider-openai", guard.healthCheck("openai"), false, Probe.READINESS);
    }

    private static AiGuard buildGuard(SampleHost host) throws IOException {
        SampleSettings s = host.settings();
        double soft = number(s, "ai.budget.daily.soft.usd", "50");
        double hard = number(s, "ai.budget.daily.hard.usd", DEFAULT_HARD_USD);
        int concurrent = (int) number(s, "ai.max.concurrent", "3");
        long rpm = (long) number(s, "ai.requests.per.minute", "500");
        long tpm = (long) number(s, "ai.tokens.per.minute", "30000");
        PriceTable prices;
        try (InputStream in = AiFeedbackFeature.class.getResourceAsStream(PRICES)) {
            if (in == null) {
                throw new IOException("the example price table " + PRICES + " is missing from the sample");
            }
            prices = PriceTable.fromJson(in);
        }
        Notifier budgetLog = event -> log.warn("{}: {}", event.type(), event.summary());
        return AiGuard.builder()
                .prices(prices)
                .model(ModelPolicy.builder("openai", "gpt-4o").requestsPerMinute(rpm).tokensPerMinute(tpm)
                        .maxConcurrent(concurrent, Duration.ofSeconds(2)).contextWindow(128_000)
                        .dailyBudgetUsd(soft, hard).build())
                .model(ModelPolicy.builder("openai", "gpt-4o-mini").requestsPerMinute(rpm).tokensPerMinute(tpm)
                        .maxConcurrent(concurrent, Duration.ofSeconds(2)).contextWindow(128_000)
                        .dailyBudgetUsd(soft, hard).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
                // The whole app's budget: the operations alert on "AI API daily cost > $100" for the app.
                .appBudget(BudgetLimits.daily(Usd.ofDollars(soft), Usd.ofDollars(hard)))
                .zone(ZoneId.of(s.get("ai.budget.zone", "UTC")))
                .clock(host.clock())
                .retry(new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(10)))
                .callTimeout(Duration.ofSeconds(20))
                .leaseTime(Duration.ofMinutes(2))
                .meterRegistry(host.registry())
                .notifier(budgetLog)
                .build();
    }

    private static double number(SampleSettings s, String key, String fallback) {
        String value = s.get(key, fallback);
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number: '" + value + "'", e);
        }
    }

    /** The host's provider call: plain JDK HttpClient against the OpenAI-like wire shape. */
    private static AiCall<String> ask(HttpClient http, String url, String text) {
        return attempt -> {
            Map<String, Object> payload = Map.of("model", attempt.model(), "max_tokens", MAX_OUTPUT_TOKENS,
                    "messages", List.of(
                            Map.of("role", "system", "content", "Thank the user briefly for their feedback."),
                            Map.of("role", "user", "content", text)));
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(attempt.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(HttpResponses.json().writeValueAsBytes(payload)))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return ProviderReply.httpError(response.statusCode(), response.headers()::firstValue);
            }
            JsonNode json = HttpResponses.json().readTree(response.body());
            JsonNode usage = json.path("usage");
            return ProviderReply.ok(json.path("choices").path(0).path("message").path("content").asText(),
                    new TokenUsage(usage.path("prompt_tokens").asLong(),
                            usage.path("prompt_tokens_details").path("cached_tokens").asLong(),
                            usage.path("completion_tokens").asLong(),
                            usage.path("completion_tokens_details").path("reasoning_tokens").asLong()));
        };
    }

    private static String readText(HttpExchange exchange) throws IOException, BadFeedback {
        byte[] raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (raw.length > MAX_BODY_BYTES) {
            throw new BadFeedback("body must be at most " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode json;
        try {
            json = HttpResponses.json().readTree(raw);
        } catch (IOException e) {
            throw new BadFeedback("body must be JSON like {\"text\": \"...\"}");
        }
        if (json == null || !json.isObject()) {
            throw new BadFeedback("body must be a JSON object like {\"text\": \"...\"}");
        }
        JsonNode text = json.get("text");
        if (text == null || !text.isTextual()) {
            throw new BadFeedback("text is required and must be a string");
        }
        if (text.textValue().isBlank()) {
            throw new BadFeedback("text must not be blank");
        }
        if (text.textValue().length() > MAX_TEXT_CHARS) {
            throw new BadFeedback("text must be at most " + MAX_TEXT_CHARS + " characters: "
                    + text.textValue().length());
        }
        return text.textValue();
    }

    private static void refuse(HttpExchange exchange, AiGuardException refused) throws IOException {
        // Rate and concurrency limits clear within minutes: 429. Budget, circuit and provider errors: 503.
        boolean tooMany = refused instanceof RateLimitedException || refused instanceof ConcurrencyFullException;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", refused.getMessage());
        body.put("refusedBy", refused.limit().wireName());
        body.put("fallbackChain", refused.fallbackChain());
        body.put("provider", refused.provider());
        body.put("model", refused.model());
        refused.retryAfter().ifPresent(d -> {
            long seconds = Math.max(1, (d.toMillis() + 999) / 1000);
            body.put("retryAfterSeconds", seconds);
            exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
        });
        if (tooMany && refused.retryAfter().isEmpty()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            body.put("retryAfterSeconds", 1);
        }
        HttpResponses.sendJson(exchange, tooMany ? 429 : 503, body);
    }

    /** A request the endpoint refuses with 400; the message is the reason shown to the client. */
    private static final class BadFeedback extends Exception {
        private static final long serialVersionUID = 1L;

        BadFeedback(String reason) {
            super(reason, null, false, false);
        }
    }
}
