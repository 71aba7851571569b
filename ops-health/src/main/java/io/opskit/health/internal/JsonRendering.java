package io.opskit.health.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.CheckResult;
import io.opskit.health.HealthReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes reports with Jackson's streaming generator (no intermediate tree): Opskit's own shape and
 * the MicroProfile Health shape. Detail values that are not plain strings, numbers or booleans go
 * through a shared {@link ObjectMapper}. Thread-safe.
 */
public final class JsonRendering {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int KEEP_AT_MOST = 64 * 1024;
    /** One output buffer per thread: a render then allocates only its result array. */
    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    /** A reusable byte buffer; only the rendering thread touches it. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(4096);
        }

        final char[] instant = new char[IsoInstant.MAX_LENGTH];

        int capacity() {
            return buf.length;
        }
    }

    private static Buffer buffer() {
        Buffer buffer = BUFFERS.get();
        buffer.reset();
        return buffer;
    }

    private static byte[] finish(Buffer buffer) {
        byte[] bytes = buffer.toByteArray();
        if (buffer.capacity() > KEEP_AT_MOST) {
            BUFFERS.remove(); // do not keep an unusually large report's buffer alive
        }
        return bytes;
    }

    private JsonRendering() {
    }

    /**
     * Opskit's shape: {@code {"status", "group", "checkedAt", "durationMs", "checks": {name: {...}}}};
     * just {@code {"status"}} without details.
     */
    public static byte[] opskit(HealthReport report, boolean details) {
        Buffer out = buffer();
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", report.status().name());
            if (details) {
                if (report.group() != null) {
                    g.writeStringField("group", report.group());
                }
                g.writeFieldName("checkedAt");
                writeInstant(g, report.checkedAt(), out.instant);
                g.writeNumberField("durationMs", report.durationMs());
                g.writeObjectFieldStart("checks");
                for (CheckResult check : report.checks()) {
                    g.writeObjectFieldStart(check.name());
                    g.writeStringField("status", check.status().name());
                    if (check.message() != null) {
                        g.writeStringField("message", check.message());
                    }
                    g.writeBooleanField("critical", check.critical());
                    g.writeBooleanField("timedOut", check.timedOut());
                    g.writeBooleanField("stale", check.stale());
                    g.writeNumberField("durationMs", check.durationMs());
                    g.writeFieldName("checkedAt");
                    writeInstant(g, check.checkedAt(), out.instant);
                    if (!check.details().isEmpty()) {
                        g.writeFieldName("details");
                        writeMap(g, check.details());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return finish(out);
    }

    /**
     * The MicroProfile Health shape: {@code {"status", "checks": [{"name", "status", "data"}]}} with
     * statuses UP or DOWN only (an aggregate is UP when its HTTP status is below 300; a check is UP
     * when it is UP or DEGRADED). Without details {@code checks} is empty.
     */
    public static byte[] microProfile(HealthReport report, boolean details) {
        Buffer out = buffer();
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", report.httpStatus() < 300 ? "UP" : "DOWN");
            g.writeArrayFieldStart("checks");
            if (details) {
                for (CheckResult check : report.checks()) {
                    g.writeStartObject();
                    g.writeStringField("name", check.name());
                    boolean up = check.status() == HealthStatus.UP || check.status() == HealthStatus.DEGRADED;
                    g.writeStringField("status", up ? "UP" : "DOWN");
                    g.writeObjectFieldStart("data");
                    g.writeStringField("status", check.status().name());
                    if (check.message() != null) {
                        g.writeStringField("message", check.message());
                    }
                    for (Map.Entry<String, Object> e : check.details().entrySet()) {
                        g.writeFieldName(e.getKey());
                        writeValue(g, e.getValue());
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return finish(out);
    }

    private static void writeInstant(JsonGenerator g, java.time.Instant instant, char[] scratch) throws IOException {
        int length = IsoInstant.write(instant, scratch);
        if (length < 0) {
            g.writeString(instant.toString());
        } else {
            g.writeString(scratch, 0, length);
        }
    }

    private static void writeMap(JsonGenerator g, Map<String, Object> map) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            g.writeFieldName(e.getKey());
            writeValue(g, e.getValue());
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            MAPPER.writeValue(g, value);
        }
    }
}
