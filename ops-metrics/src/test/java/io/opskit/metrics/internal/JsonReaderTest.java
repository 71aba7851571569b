package io.opskit.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The strict JSON reader against Jackson's writer and parser, on generated documents and garbage. */
class JsonReaderTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Property(tries = 500)
    void parse_anyStringQuoted_givesTheString(@ForAll String s) {
        assertThat(JsonReader.parse(Json.quote(s))).isEqualTo(s);
    }

    @Property(tries = 500)
    void parse_documentJacksonWrites_givesTheSameValues(@ForAll("documents") Object document) throws Exception {
        String text = JACKSON.writeValueAsString(document);
        assertThat(normalize(JsonReader.parse(text))).isEqualTo(normalize(document));
    }

    @Property(tries = 1000)
    void parse_anyText_readsWhatJacksonReadsOrRefusesWithIllegalArgument(@ForAll("almostJson") String text) {
        Object jackson;
        try {
            jackson = JACKSON.readValue(text, Object.class);
            JACKSON.readTree(text); // Jackson's tree reader also refuses trailing text only lazily
        } catch (Exception e) {
            jackson = e;
        }
        Object ours;
        try {
            ours = JsonReader.parse(text);
        } catch (IllegalArgumentException e) {
            ours = e;
        }
        if (!(ours instanceof Exception) && !(jackson instanceof Exception)) {
            assertThat(normalize(ours)).isEqualTo(normalize(jackson));
        }
        // Anything else than a value or an IllegalArgumentException (an overflow, an index error) fails here.
    }

    @Test
    void parse_prometheusVector_readsSeriesAndSamples() {
        Object json = JsonReader.parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                + "[{\"metric\":{\"job\":\"app\"},\"value\":[1764590400.123,\"42.5\"]}]}}");
        Map<?, ?> data = (Map<?, ?>) ((Map<?, ?>) json).get("data");
        Map<?, ?> series = (Map<?, ?>) ((List<?>) data.get("result")).get(0);
        assertThat(series.get("metric")).isEqualTo(Map.of("job", "app"));
        assertThat(series.get("value")).isEqualTo(List.of(1764590400.123, "42.5"));
    }

    @Test
    void parse_malformed_throwsNamingThePosition() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not JSON at character 7: expected a member name");
        assertThatThrownBy(() -> JsonReader.parse("[1] x")).hasMessage("not JSON at character 4: unexpected text after the value");
        assertThatThrownBy(() -> JsonReader.parse("\"a\u0001\"")).hasMessage("not JSON at character 2: control character in a string");
        assertThatThrownBy(() -> JsonReader.parse("01")).hasMessageContaining("unexpected text after the value");
        assertThatThrownBy(() -> JsonReader.parse("")).hasMessage("not JSON at character 0: unexpected end of input");
    }

    @Test
    void parse_deeplyNested_refusedWithoutOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> JsonReader.parse(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than 64");
        assertThat(JsonReader.parse("[".repeat(64) + "]".repeat(64))).isInstanceOf(List.class);
    }

    @Test
    void parse_nullTrueFalse_readAsMarkerAndBooleans() {
        assertThat(JsonReader.parse(" [null, true, false] ")).isEqualTo(List.of(JsonReader.NULL, true, false));
    }

    /** Numbers compared as doubles, JSON null as Java null, so both readers' values compare. */
    private static Object normalize(Object value) {
        if (value == null || value == JsonReader.NULL) {
            return "<null>";
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, normalize(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(JsonReaderTest::normalize).toList();
        }
        return value;
    }

    @Provide
    Arbitrary<Object> documents() {
        return value(3);
    }

    private static Arbitrary<Object> value(int depth) {
        // Characters below the surrogates: Jackson refuses to write a lone surrogate.
        Arbitrary<Object> leaf = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').ofMaxLength(20).map(s -> (Object) s),
                Arbitraries.doubles().map(d -> (Object) d), Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.of(true, false).map(b -> (Object) b));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Object> list = value(depth - 1).list().ofMaxSize(4).map(l -> (Object) l);
        Arbitrary<Object> map = Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), value(depth - 1)).ofMaxSize(4)
                .map(m -> (Object) m);
        return Arbitraries.oneOf(leaf, list, map);
    }

    @Provide
    Arbitrary<String> almostJson() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"a\"", "\"\\u00e9\"", "\"\\q\"", "1",
                "-0.5e3", "01", "1.", "true", "nul", "null", " ", "\n", "\"", "\\", "e", "-", "1e", "\u0000");
        return tokens.list().ofMaxSize(12).map(l -> String.join("", l));
    }
}
