package io.opskit.ratelimit;

/** Prices used by the tests (made up, round numbers). */
final class Fixtures {

    private Fixtures() {
    }

    /** gpt-4o: $2.50 / $10 per million; gpt-4o-mini: $0.15 / $0.60 per million. */
    static final String PRICES = """
            {
              "format": 1,
              "version": "test-2026-11",
              "asOf": "2026-11-01",
              "unit": "micro-usd-per-million-tokens",
              "models": {
                "openai/gpt-4o":      {"input": 2500000, "cachedInput": 1250000, "output": 10000000},
                "openai/gpt-4o-mini": {"input": 150000,  "cachedInput": 75000,   "output": 600000}
              }
            }
            """;

    static PriceTable prices() {
        return PriceTable.fromJson(PRICES);
    }
}
