package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The WAL name and LSN parsers round-trip and agree with PostgreSQL's segment arithmetic. */
class WalNameProperties {

    @Property
    void lsn_formatThenParse_roundTrips(@ForAll long value) {
        Lsn lsn = new Lsn(value);
        assertThat(Lsn.parse(lsn.toString())).isEqualTo(lsn);
    }

    @Property
    void segmentName_parse_givesBackTimelineAndNumber(@ForAll @LongRange(min = 1, max = 0xFFFFFFFFL) long timeline,
                                                      @ForAll @IntRange(min = 20, max = 30) int sizeBits,
                                                      @ForAll @LongRange(min = 0, max = 1L << 40) long segment) {
        long size = 1L << sizeBits;
        long number = segment % (Long.divideUnsigned(-1L, size));
        String name = WalFileName.segmentName(timeline, number, size);
        WalFileName parsed = WalFileName.parse(name);
        assertThat(parsed.kind()).isEqualTo(WalFileName.Kind.SEGMENT);
        assertThat(parsed.timeline()).isEqualTo(timeline);
        assertThat(parsed.segmentNumber(size)).isEqualTo(number);
        assertThat(new Lsn(number * size).segmentNumber(size)).isEqualTo(number);
    }

    @Property
    void parse_rejectsAnythingElse_namingIt(@ForAll String text) {
        if (text.matches("[0-9A-F]{24}(\\.partial|\\.[0-9A-F]{8}\\.backup)?|[0-9A-F]{8}\\.history")) {
            return;
        }
        assertThatThrownBy(() -> WalFileName.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a WAL segment");
    }
}
