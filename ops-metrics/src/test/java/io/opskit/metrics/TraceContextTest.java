package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    /** The specification's shape of a version-00 header, checked independently of the parser. */
    private static final Pattern VERSION_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

    private static boolean validBySpec(String header) {
        var m = VERSION_00.matcher(header);
        return m.matches() && !m.group(1).matches("0+") && !m.group(2).matches("0+");
    }

    @Test
    void parse_specExample_givesTraceAndParentSpan() {
        assertThat(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .contains(new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"));
    }

    @Test
    void parse_invalidShapes_empty() {
        for (String bad : new String[] {null, "", "00", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x"}) {
            assertThat(TraceContext.parse(bad)).as("'%s'", bad).isEmpty();
            assertThat(TraceContext.isValid(bad)).isFalse();
        }
    }

    @Test
    void constructor_badIds_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> new TraceContext("0".repeat(32), "00f067aa0ba902b7"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("traceId must be 32 lower-case hex digits, not all zeros: '" + "0".repeat(32) + "'");
        assertThatThrownBy(() -> new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00F067AA0BA902B7"))
                .hasMessage("spanId must be 16 lower-case hex digits, not all zeros: '00F067AA0BA902B7'");
    }

    @Property
    void parse_anyText_neverThrowsAndAcceptsOnlyTheSpecsShape(@ForAll String header) {
        Optional<TraceContext> parsed = TraceContext.parse(header);
        assertThat(parsed.isPresent()).isEqualTo(validBySpec(header));
    }

    @Property(tries = 3000)
    void parse_nearlyValidHeaders_acceptedExactlyWhenTheSpecSaysSo(@ForAll("nearlyValid") String header) {
        Optional<TraceContext> parsed = TraceContext.parse(header);
        assertThat(parsed.isPresent()).as("'%s'", header).isEqualTo(validBySpec(header));
        assertThat(TraceContext.isValid(header)).isEqualTo(parsed.isPresent());
        parsed.ifPresent(t -> {
            assertThat(t.traceId()).isEqualTo(header.substring(3, 35));
            assertThat(t.spanId()).isEqualTo(header.substring(36, 52));
        });
    }

    @Provide
    Arbitrary<String> nearlyValid() {
        net.jqwik.api.arbitraries.StringArbitrary hex = Arbitraries.strings().withChars("0123456789abcdef");
        Arbitrary<String> valid = Combinators.combine(hex.ofLength(32), hex.ofLength(16), hex.ofLength(2),
                        Arbitraries.of("0000000000000000", "", ""))
                .as((trace, span, flags, zeros) -> "00-" + (zeros.isEmpty() ? trace : "0".repeat(32)) + "-"
                        + span + "-" + flags);
        // One edit at a random place: a character replaced, inserted or removed; often none.
        Arbitrary<Integer> position = Arbitraries.integers().between(0, 55);
        Arbitrary<Character> replacement = Arbitraries.chars().with("0af-gAF _\u00e9\n".toCharArray());
        Arbitrary<Integer> edit = Arbitraries.integers().between(0, 4);
        return Combinators.combine(valid, position, replacement, edit).as((h, pos, c, kind) -> {
            int p = Math.min(pos, h.length());
            return switch (kind) {
                case 1 -> p < h.length() ? h.substring(0, p) + c + h.substring(p + 1) : h + c;
                case 2 -> h.substring(0, p) + c + h.substring(p);
                case 3 -> p < h.length() ? h.substring(0, p) + h.substring(p + 1) : h.substring(1);
                default -> h;
            };
        });
    }
}
