package io.opskit.backup.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The diskless replication stream ends with a 40-byte mark that is not part of the RDB. */
class RedisStreamProperties {

    private static final byte[] MARK = "0123456789abcdef0123456789abcdef01234567".getBytes(StandardCharsets.US_ASCII);

    /** Hands out at most a random number of bytes per read, as a socket does. */
    private static InputStream chunked(byte[] data, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            private int at;

            @Override
            public int read() {
                return at < data.length ? data[at++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at >= data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + random.nextInt(100_000)), data.length - at);
                System.arraycopy(data, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    @Property(tries = 200)
    void copyUntilMark_anyDataAndChunking_copiesExactlyTheBytesBeforeTheMark(
            @ForAll @Size(max = 300_000) byte[] rdb, @ForAll long seed, @ForAll @IntRange(max = 64) int trailing) throws Exception {
        byte[] stream = Arrays.copyOf(rdb, rdb.length + MARK.length + trailing);
        System.arraycopy(MARK, 0, stream, rdb.length, MARK.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        RedisSource.copyUntilMark(chunked(stream, seed), out, MARK);

        assertThat(out.toByteArray()).isEqualTo(rdb);
    }

    @Property(tries = 100)
    void copyUntilMark_streamEndingWithoutTheMark_failsInsteadOfStoringAShortSnapshot(
            @ForAll @Size(max = 100_000) byte[] rdb, @ForAll long seed) {
        assertThatThrownBy(() -> RedisSource.copyUntilMark(chunked(rdb, seed), new ByteArrayOutputStream(), MARK))
                .isInstanceOf(EOFException.class).hasMessageContaining("before its end mark");
    }
}
