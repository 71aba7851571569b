package io.opskit.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions recorded in manifests, read from the build's filtered resource. */
final class Versions {

    static final String OPSKIT;
    static final String ZSTD_JNI;
    static final String SQLITE_JDBC;

    static {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // Versions are informative only.
        }
        OPSKIT = p.getProperty("opskit", "unknown");
        ZSTD_JNI = p.getProperty("zstd-jni", "unknown");
        SQLITE_JDBC = p.getProperty("sqlite-jdbc", "unknown");
    }

    private Versions() {
    }
}
