package io.opskit.backup.internal;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The one class that names zstd-jni; loaded only when a zstd stream is opened. */
final class ZstdStreams {

    private ZstdStreams() {
    }

    static OutputStream compress(OutputStream out, int level, int workers) throws IOException {
        ZstdOutputStream zstd = new ZstdOutputStream(out, level);
        if (workers > 0) {
            zstd.setWorkers(workers);
        }
        return zstd;
    }

    static InputStream decompress(InputStream in) throws IOException {
        return new ZstdInputStream(in);
    }
}
