package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class CompressionProperties {

    @Property
    void parse_validGzipLevel_roundTripsThroughToString(@ForAll @IntRange(min = 1, max = 9) int level) {
        Compression c = Compression.parse("gzip:" + level);
        assertThat(c).isEqualTo(Compression.gzip(level));
        assertThat(Compression.parse(c.toString())).isEqualTo(c);
    }

    @Property
    void parse_validZstdLevel_roundTrips(@ForAll @IntRange(min = 1, max = 19) int level) {
        assertThat(Compression.parse(Compression.zstd(level).toString())).isEqualTo(Compression.zstd(level));
    }

    @Property
    void parse_gzipLevelOutOfRange_namesTheLevel(@ForAll @IntRange(min = -1000, max = 1000) int level) {
        if (level >= 1 && level <= 9) {
            return;
        }
        assertThatThrownBy(() -> Compression.parse("gzip:" + level))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("gzip level must be between 1 and 9: " + level);
    }

    @Property
    void parse_arbitraryText_parsesOrNamesTheValue(@ForAll String text) {
        try {
            Compression c = Compression.parse(text);
            assertThat(c.codec()).isIn("zstd", "gzip", "none");
        } catch (IllegalArgumentException e) {
            // Either the whole value is named, or the field (the level) and its value are.
            assertThat(e.getMessage()).satisfiesAnyOf(m -> assertThat(m).contains(text),
                    m -> assertThat(m).matches("(zstd|gzip) level must be between \\d+ and \\d+: -?\\d+"));
        }
    }
}
