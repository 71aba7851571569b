package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PriceTableTest {

    private static String table(String models) {
        return "{\"format\":1,\"version\":\"v1\",\"asOf\":\"2026-11-01\",\"unit\":\"micro-usd-per-million-tokens\","
                + "\"models\":{" + models + "}}";
    }

    @Test
    void fromJson_validTable_readsPricesWithDefaults() {
        PriceTable t = PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":2500000,\"output\":10000000}"));

        assertThat(t.version()).isEqualTo("v1");
        assertThat(t.asOf()).isEqualTo(LocalDate.of(2026, 11, 1));
        assertThat(t.price("openai", "gpt-4o")).hasValue(new ModelPrice(2_500_000, 2_500_000, 10_000_000, 10_000_000));
        assertThat(t.price("openai", "gpt-4o-mini")).isEmpty();
    }

    @Test
    void fromJson_malformedJson_saysWhere() {
        assertThatThrownBy(() -> PriceTable.fromJson("{\"format\": 1, \"models\": {"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price table is not valid JSON").hasMessageContaining("line 1");
    }

    @Test
    void fromJson_absurdPrice_namesModelAndField() {
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":2500000000000,\"output\":1}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("models.openai/gpt-4o.input must be 0 to 1000000000 micro-USD per million tokens: 2500000000000");
    }

    @Test
    void fromJson_negativeOrFractionalPrice_isRefused() {
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":-1,\"output\":1}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("models.openai/gpt-4o.input");
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":2.5,\"output\":1}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("models.openai/gpt-4o.input must be an integer number of micro-USD per million tokens: 2.5");
    }

    @Test
    void fromJson_missingOutput_namesField() {
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":1}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("models.openai/gpt-4o.output is required");
    }

    @Test
    void fromJson_unknownFieldOrWrongUnit_isRefused() {
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":1,\"output\":1,\"outptu\":1}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown field: 'outptu'");
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":1,\"output\":1}")
                .replace("micro-usd-per-million-tokens", "usd-per-million-tokens")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unit must be 'micro-usd-per-million-tokens': 'usd-per-million-tokens'");
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"gpt-4o\":{\"input\":1,\"output\":1}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("model key must be 'provider/model': 'gpt-4o'");
        assertThatThrownBy(() -> PriceTable.fromJson(table("\"openai/gpt-4o\":{\"input\":1,\"output\":1}")
                .replace("2026-11-01", "yesterday")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("asOf must be a date");
    }

    @Test
    void costMicros_splitsCachedAndReasoningTokens() {
        ModelPrice p = new ModelPrice(2_000_000, 500_000, 8_000_000, 16_000_000);
        // 600 uncached * 2 + 400 cached * 0.5 + 100 plain output * 8 + 100 reasoning * 16
        assertThat(p.costMicros(new TokenUsage(1_000, 400, 200, 100))).isEqualTo(1_200 + 200 + 800 + 1_600);
        // worst case: all input uncached, all output at the dearer of output and reasoning
        assertThat(p.worstCaseMicros(1_000, 200)).isEqualTo(2_000 + 3_200);
        // rounds up: a single token at 1 micro-USD per million is still charged 1 micro-USD
        assertThat(new ModelPrice(1, 1, 1, 1).costMicros(TokenUsage.of(1, 0))).isEqualTo(1);
    }
    // Finding 7, the price table: PriceTable.fromJson threw NullPointerException on Jackson's
    // constraint errors, accepted duplicate fields (the last won), trailing garbage and a 50 MB table.

    @Test
    void finding7_constraintErrorThrewNullPointerException_deepNestingIsRefusedNamingThePosition() {
        String deep = table("\"openai/gpt-4o\":{\"input\":1,\"output\":1}").replace("\"models\":",
                "\"x\":" + "[".repeat(2_000) + "]".repeat(2_000) + ",\"models\":");

        assertThatThrownBy(() -> PriceTable.fromJson(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price table is not valid JSON").hasMessageContaining("nesting depth")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void finding7_constraintErrorThrewNullPointerException_aHugeNumberIsRefusedNamingThePosition() {
        String huge = table("\"openai/gpt-4o\":{\"input\":" + "9".repeat(2_000) + ",\"output\":1}");

        assertThatThrownBy(() -> PriceTable.fromJson(huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price table is not valid JSON").hasMessageContaining("Number value length")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void finding7_duplicateFieldsLastWon_areRefusedNamingTheField() {
        String twice = table("\"openai/gpt-4o\":{\"input\":1,\"output\":1,\"input\":999999}");

        assertThatThrownBy(() -> PriceTable.fromJson(twice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price table is not valid JSON: Duplicate field 'input'")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void finding7_duplicateModelLastWon_isRefused() {
        String twice = table("\"openai/gpt-4o\":{\"input\":1,\"output\":1},"
                + "\"openai/gpt-4o\":{\"input\":0,\"output\":0}");

        assertThatThrownBy(() -> PriceTable.fromJson(twice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price table is not valid JSON: Duplicate field 'openai/gpt-4o'");
    }

    @Test
    void finding7_trailingGarbageWasAccepted_isRefused() {
        String trailing = table("\"openai/gpt-4o\":{\"input\":1,\"output\":1}") + " {\"format\":2}";

        assertThatThrownBy(() -> PriceTable.fromJson(trailing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price table is not valid JSON: Trailing token")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void finding7_a50MbTableWasRead_aTableAboveTheSizeLimitIsRefusedBeforeParsing() {
        String valid = table("\"openai/gpt-4o\":{\"input\":1,\"output\":1}");
        String padded = valid + " ".repeat(PriceTable.MAX_SIZE + 1 - valid.length());

        assertThatThrownBy(() -> PriceTable.fromJson(padded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("price table must be at most 1048576 characters: 1048577");
        assertThatThrownBy(() -> PriceTable.fromJson(new java.io.ByteArrayInputStream(
                padded.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("price table must be at most 1048576 bytes");
        assertThat(PriceTable.fromJson(padded.substring(0, PriceTable.MAX_SIZE)).version())
                .as("a table at the limit is read").isEqualTo("v1");
    }
}
