package io.opskit.backup;

import io.opskit.backup.internal.Codecs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

/**
 * How a snapshot is compressed before it is encrypted: {@link #zstd(int)} (zstd-jni, default level
 * 3), {@link #gzip(int)} (levels 1 to 9, default 6) or {@link #none()}. Immutable and thread-safe.
 */
public final class Compression {

    /** The codec names recorded in manifests. */
    private static final String ZSTD = "zstd";
    private static final String GZIP = "gzip";
    private static final String NONE = "none";

    private final String codec;
    private final int level;

    private Compression(String codec, int level) {
        this.codec = codec;
        this.level = level;
    }

    /**
     * zstd at level 3, the default.
     *
     * @throws IllegalStateException when the optional dependency {@code com.github.luben:zstd-jni}
     *                               is missing (the message names it)
     */
    public static Compression zstd() {
        return zstd(3);
    }

    /**
     * zstd at a level from 1 to 19.
     *
     * @throws IllegalArgumentException when the level is out of range
     * @throws IllegalStateException    when the optional dependency {@code com.github.luben:zstd-jni}
     *                                  is missing (the message names it)
     */
    public static Compression zstd(int level) {
        if (level < 1 || level > 19) {
            throw new IllegalArgumentException("zstd level must be between 1 and 19: " + level);
        }
        Codecs.requireZstd();
        return new Compression(ZSTD, level);
    }

    /** gzip at level 6. */
    public static Compression gzip() {
        return gzip(6);
    }

    /**
     * gzip at a level from 1 to 9.
     *
     * @throws IllegalArgumentException when the level is out of range
     */
    public static Compression gzip(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("gzip level must be between 1 and 9: " + level);
        }
        return new Compression(GZIP, level);
    }

    /** No compression (the snapshot is still encrypted). */
    public static Compression none() {
        return new Compression(NONE, 0);
    }

    /**
     * Parses {@code zstd}, {@code zstd:LEVEL}, {@code gzip}, {@code gzip:LEVEL} or {@code none}.
     *
     * @throws IllegalArgumentException naming the value when it is not one of these
     */
    public static Compression parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        Integer level = null;
        if (colon >= 0) {
            try {
                level = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compression level must be a number: " + text);
            }
        }
        switch (name) {
            case ZSTD:
                return level == null ? zstd() : zstd(level);
            case GZIP:
                return level == null ? gzip() : gzip(level);
            case NONE:
                if (level != null) {
                    throw new IllegalArgumentException("compression none takes no level: " + text);
                }
                return none();
            default:
                throw new IllegalArgumentException("compression must be zstd, gzip:LEVEL or none: " + text);
        }
    }

    /** The codec name: {@code "zstd"}, {@code "gzip"} or {@code "none"}. */
    public String codec() {
        return codec;
    }

    /** The level, 0 for none. */
    public int level() {
        return level;
    }

    /**
     * Wraps {@code out} in a compressing stream; closing it closes {@code out}.
     *
     * @param workers how many threads zstd may use besides the caller (0 = the caller's only)
     */
    OutputStream compress(OutputStream out, int workers) throws IOException {
        return Codecs.compress(codec, level, workers, out);
    }

    /** Wraps {@code in} in a decompressing stream for a codec name read from a manifest. */
    static InputStream decompress(String codec, InputStream in) throws IOException {
        return Codecs.decompress(codec, in);
    }

    @Override
    public String toString() {
        return NONE.equals(codec) ? NONE : codec + ":" + level;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compression c && c.codec.equals(codec) && c.level == level;
    }

    @Override
    public int hashCode() {
        return codec.hashCode() * 31 + level;
    }
}
