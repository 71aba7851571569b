package io.opskit.backup.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The compression codecs behind {@code io.opskit.backup.Compression}, shared by snapshots and WAL
 * segments so both write the same streams. zstd-jni is an optional dependency: only
 * {@link ZstdStreams} names its classes, and it is loaded only when a zstd stream is opened, so a
 * host that compresses with gzip (or not at all) runs without the library.
 */
public final class Codecs {

    /** The codec names, as written into manifests and segment headers. */
    public static final String ZSTD = "zstd";
    public static final String GZIP = "gzip";
    public static final String NONE = "none";

    private static final int GZIP_BUFFER = 1 << 16;
    private static final String ZSTD_CLASS = "com.github.luben.zstd.ZstdOutputStream";

    private Codecs() {
    }

    /**
     * Fails when zstd is asked for and zstd-jni is missing, naming the dependency.
     *
     * @throws IllegalStateException when {@code com.github.luben:zstd-jni} cannot be loaded
     */
    public static void requireZstd() {
        try {
            Class.forName(ZSTD_CLASS, false, Codecs.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("zstd compression needs the optional dependency "
                    + "com.github.luben:zstd-jni on the class path or module path; add it, or choose "
                    + "Compression.gzip() or Compression.none()", e);
        }
    }

    /**
     * Wraps {@code out} in a compressing stream; closing it closes {@code out}.
     *
     * @param workers how many threads zstd may use besides the caller (0 = the caller's only)
     */
    public static OutputStream compress(String codec, int level, int workers, OutputStream out) throws IOException {
        switch (codec) {
            case ZSTD:
                requireZstd();
                return ZstdStreams.compress(out, level, workers);
            case GZIP:
                return new LevelledGzip(out, level);
            case NONE:
                return new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }
                };
            default:
                throw new IllegalArgumentException("unknown compression codec: " + codec);
        }
    }

    /**
     * Wraps {@code in} in a decompressing stream for a codec name read from a manifest or header.
     *
     * @throws IOException for an unknown codec name
     * @throws IllegalStateException for zstd data when zstd-jni is missing
     */
    public static InputStream decompress(String codec, InputStream in) throws IOException {
        switch (codec) {
            case ZSTD:
                requireZstd();
                return ZstdStreams.decompress(in);
            case GZIP:
                return new GZIPInputStream(in, GZIP_BUFFER);
            case NONE:
                return in;
            default:
                throw new IOException("unknown compression codec: " + codec);
        }
    }

    /** gzip at a chosen level (the JDK's stream exposes the level only to subclasses). */
    private static final class LevelledGzip extends GZIPOutputStream {
        LevelledGzip(OutputStream out, int level) throws IOException {
            super(out, GZIP_BUFFER);
            def.setLevel(level);
        }
    }
}
