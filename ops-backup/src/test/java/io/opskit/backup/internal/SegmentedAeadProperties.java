package io.opskit.backup.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SegmentedAeadProperties {

    private static final byte[] KEY = new byte[32];

    private static byte[] seal(byte[] plain, int segment) throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = SegmentedAead.encrypt(sink, KEY, "sha256:test", segment)) {
            out.write(plain);
        }
        return sink.toByteArray();
    }

    private static byte[] open(byte[] sealed) throws Exception {
        try (InputStream in = SegmentedAead.decrypt(new ByteArrayInputStream(sealed), KEY)) {
            return in.readAllBytes();
        }
    }

    @Property(tries = 60)
    void roundTrip_anyLengthAndSegmentSize_returnsPlaintext(@ForAll @IntRange(min = 0, max = 40_000) int length,
                                                            @ForAll @IntRange(min = 1024, max = 9000) int segment,
                                                            @ForAll long seed) throws Exception {
        byte[] plain = new byte[length];
        new Random(seed).nextBytes(plain);
        byte[] sealed = seal(plain, segment);
        assertThat(open(sealed)).isEqualTo(plain);
        assertThat(SegmentedAead.readKeyId(new ByteArrayInputStream(sealed))).isEqualTo("sha256:test");
    }

    @Property(tries = 60)
    void truncatedOrExtended_anywhere_failsAuthentication(@ForAll @IntRange(min = 1, max = 20_000) int length,
                                                          @ForAll @IntRange(min = 0, max = 100) int cutPercent,
                                                          @ForAll boolean extend) throws Exception {
        byte[] plain = new byte[length];
        new Random(length).nextBytes(plain);
        byte[] sealed = seal(plain, 1024);
        byte[] damaged = extend ? Arrays.copyOf(sealed, sealed.length + 1 + cutPercent)
                : Arrays.copyOf(sealed, Math.min(sealed.length - 1, sealed.length * cutPercent / 100));
        assertThatThrownBy(() -> open(damaged)).isInstanceOf(SegmentedAead.AuthenticationFailed.class);
    }

    @Property(tries = 30)
    void wrongKey_failsAuthentication(@ForAll @IntRange(min = 0, max = 5000) int length, @ForAll byte keyByte) throws Exception {
        byte[] sealed = seal(new byte[length], 1024);
        byte[] other = new byte[32];
        Arrays.fill(other, keyByte == 0 ? 1 : keyByte);
        assertThatThrownBy(() -> {
            try (InputStream in = SegmentedAead.decrypt(new ByteArrayInputStream(sealed), other)) {
                in.readAllBytes();
            }
        }).isInstanceOf(SegmentedAead.AuthenticationFailed.class);
    }
}
