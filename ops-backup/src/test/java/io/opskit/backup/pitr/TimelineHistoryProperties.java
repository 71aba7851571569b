package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The history parser reads back what PostgreSQL writes and answers anything else with a clear error. */
class TimelineHistoryProperties {

    @Property
    void parse_whatPostgresqlWrites_roundTrips(@ForAll("histories") List<TimelineHistory.Entry> entries,
                                              @ForAll @LongRange(min = 1, max = 1000) long above) {
        long timeline = (entries.isEmpty() ? 0 : entries.get(entries.size() - 1).timeline()) + above;
        StringBuilder file = new StringBuilder();
        for (TimelineHistory.Entry e : entries) {
            // xlog.c writeTimeLineHistory: "%s%u\t%X/%X\t%s\n", the parent's file then one line
            file.append(Long.toUnsignedString(e.timeline())).append('\t').append(e.switchPoint()).append('\t')
                    .append(e.reason()).append('\n');
        }

        TimelineHistory h = TimelineHistory.parse(String.format("%08X.history", timeline),
                file.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(h.timeline()).isEqualTo(timeline);
        assertThat(h.entries()).isEqualTo(entries);
    }

    @Property
    void parse_anyBytes_returnsOrNamesFileAndLine(@ForAll @Size(max = 300) byte[] content,
                                                 @ForAll @IntRange(min = 1, max = 0xFFFF) int timeline) {
        assertParsesOrNamesLine(String.format("%08X.history", timeline), new String(content, StandardCharsets.ISO_8859_1));
        assertParsesOrNamesLine(String.format("%08X.history", timeline), content);
    }

    @Property
    void parse_nearlyValidText_returnsOrNamesFileAndLine(@ForAll("nearlyValid") String content,
                                                        @ForAll @IntRange(min = 1, max = 20) int timeline) {
        assertParsesOrNamesLine(String.format("%08X.history", timeline), content);
    }

    private static void assertParsesOrNamesLine(String name, Object content) {
        try {
            TimelineHistory h = content instanceof byte[] b ? TimelineHistory.parse(name, b)
                    : TimelineHistory.parse(name, (String) content);
            assertThat(h.entries()).allSatisfy(e -> assertThat(e.timeline()).isLessThan(h.timeline()));
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith(name + " line ").doesNotContain("\n").doesNotContain("\r");
            assertThat(e.getMessage().length()).isLessThan(300);
        }
    }

    @Provide
    Arbitrary<List<TimelineHistory.Entry>> histories() {
        Arbitrary<Long> steps = Arbitraries.longs().between(1, 5);
        Arbitrary<Long> advances = Arbitraries.longs().between(0, 1L << 34);
        Arbitrary<String> reasons = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40).map(String::strip);
        return Combinators.combine(steps, advances, reasons).as(Step::new).list().ofMaxSize(8).map(list -> {
            List<TimelineHistory.Entry> entries = new ArrayList<>();
            long tli = 0;
            long lsn = 0;
            for (Step s : list) {
                tli += s.tli();
                lsn += s.advance();
                entries.add(new TimelineHistory.Entry(tli, new Lsn(lsn), s.reason()));
            }
            return entries;
        });
    }

    private record Step(long tli, long advance, String reason) {
    }

    /** Lines made of the pieces of real ones, shuffled and damaged. */
    @Provide
    Arbitrary<String> nearlyValid() {
        Arbitrary<String> piece = Arbitraries.of("1", "2", "3", "17", "0", "-1", "4294967296", "\t", " ", "/", "0/5000A10",
                "0/", "/5", "FFFFFFFF/FFFFFFFF", "1FFFFFFFF/0", "g/1", "#", "\n", "\r\n", "\r", "before 2026", "\u0000",
                "\u00e9", "\uFFFF", "x");
        return piece.list().ofMaxSize(30).map(p -> String.join("", p));
    }
}
