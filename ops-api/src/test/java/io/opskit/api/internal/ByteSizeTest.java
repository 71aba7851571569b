package io.opskit.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void parse_decimalAndBinaryUnits() {
        assertThat(ByteSize.parse("10GB")).isEqualTo(10_000_000_000L);
        assertThat(ByteSize.parse("512 MiB")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("1.5 KB")).isEqualTo(1_500);
        assertThat(ByteSize.parse("4096")).isEqualTo(4096);
    }

    @Test
    void parse_unknownUnit_namesIt() {
        assertThatThrownBy(() -> ByteSize.parse("10 GiGo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'GiGo'");
        assertThatThrownBy(() -> ByteSize.parse("99999999999 TB")).hasMessageContaining("not a byte size");
    }

    @Test
    void format_binaryUnits() {
        assertThat(ByteSize.format(512)).isEqualTo("512 B");
        assertThat(ByteSize.format(15_938_355)).isEqualTo("15.2 MiB");
        assertThat(ByteSize.format(-2048)).isEqualTo("-2.0 KiB");
    }
}
