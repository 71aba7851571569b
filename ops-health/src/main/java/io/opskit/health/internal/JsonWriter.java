package io.opskit.health.internal;

import io.opskit.api.Redactor;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A small JSON writer for health reports that cannot fail on a value: strings, numbers, booleans,
 * maps, collections, arrays and {@link Optional}s are written as JSON; any other value (an
 * {@code Instant}, a {@code Duration}, a user type) as its {@code toString()} with secrets masked;
 * a value that refers back to a map or collection being written, or nests deeper than 16 levels,
 * as {@code "<cycle>"} or {@code "<too deep>"}; a {@code toString()} that throws as
 * {@code "<unrenderable TypeName>"}. Only a {@link VirtualMachineError} (other than a stack
 * overflow) escapes. Not thread-safe: one writer per rendering.
 */
public final class JsonWriter {

    private static final int MAX_DEPTH = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;
    private final Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean first = true;

    /** A writer with an initial capacity in characters. */
    public JsonWriter(int capacity) {
        this.out = new StringBuilder(capacity);
    }

    /** Starts an object, as a value or a member value. */
    public JsonWriter beginObject() {
        comma();
        out.append('{');
        first = true;
        return this;
    }

    /** Ends the current object. */
    public JsonWriter endObject() {
        out.append('}');
        first = false;
        return this;
    }

    /** Starts an array. */
    public JsonWriter beginArray() {
        comma();
        out.append('[');
        first = true;
        return this;
    }

    /** Ends the current array. */
    public JsonWriter endArray() {
        out.append(']');
        first = false;
        return this;
    }

    /** Writes a member name; the next call writes its value. */
    public JsonWriter name(String name) {
        comma();
        string(name);
        out.append(':');
        first = true; // the value that follows takes no comma
        return this;
    }

    /** Writes a string value. */
    public JsonWriter value(String value) {
        comma();
        string(value);
        first = false;
        return this;
    }

    /** Writes a number value. */
    public JsonWriter value(long value) {
        comma();
        out.append(value);
        first = false;
        return this;
    }

    /** Writes a boolean value. */
    public JsonWriter value(boolean value) {
        comma();
        out.append(value);
        first = false;
        return this;
    }

    /** Writes any value by the rules of the class comment; never throws for the value's sake. */
    public JsonWriter any(@org.jspecify.annotations.Nullable Object value) {
        writeAny(value, 0);
        return this;
    }

    /** The JSON written so far, as UTF-8 bytes. */
    public byte[] toBytes() {
        return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void writeAny(@org.jspecify.annotations.Nullable Object value, int depth) {
        if (value == null) {
            comma();
            out.append("null");
            first = false;
        } else if (value instanceof String s) {
            value(s);
        } else if (value instanceof Boolean b) {
            value(b.booleanValue());
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            comma();
            out.append(value);
            first = false;
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isFinite(d)) {
                comma();
                out.append(d);
                first = false;
            } else {
                value(Double.toString(d)); // JSON has no NaN or Infinity
            }
        } else if (value instanceof BigDecimal d) {
            comma();
            out.append(d.toString());
            first = false;
        } else if (value instanceof Optional<?> o) {
            writeAny(o.orElse(null), depth);
        } else if (value instanceof OptionalLong o) {
            writeAny(o.isPresent() ? o.getAsLong() : null, depth);
        } else if (value instanceof OptionalInt o) {
            writeAny(o.isPresent() ? o.getAsInt() : null, depth);
        } else if (value instanceof OptionalDouble o) {
            writeAny(o.isPresent() ? o.getAsDouble() : null, depth);
        } else if (value instanceof Map<?, ?> || value instanceof Iterable<?> || value.getClass().isArray()) {
            container(value, depth);
        } else {
            value(text(value));
        }
    }

    private void container(Object value, int depth) {
        if (depth >= MAX_DEPTH) {
            value("<too deep>");
            return;
        }
        if (!open.add(value)) {
            value("<cycle>");
            return;
        }
        // Mark the position so a container whose iteration throws can be replaced by a string.
        int mark = out.length();
        boolean firstBefore = first;
        try {
            if (value instanceof Map<?, ?> map) {
                beginObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    name(e.getKey() instanceof String k ? k : text(e.getKey()));
                    writeAny(e.getValue(), depth + 1);
                }
                endObject();
            } else if (value instanceof Iterable<?> iterable) {
                beginArray();
                for (Object element : iterable) {
                    writeAny(element, depth + 1);
                }
                endArray();
            } else {
                beginArray();
                int length = Array.getLength(value);
                for (int i = 0; i < length; i++) {
                    writeAny(Array.get(value, i), depth + 1);
                }
                endArray();
            }
        } catch (StackOverflowError e) {
            out.setLength(mark);
            first = firstBefore;
            value("<unrenderable " + value.getClass().getName() + ">");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            out.setLength(mark);
            first = firstBefore;
            value("<unrenderable " + value.getClass().getName() + ">");
        } finally {
            open.remove(value);
        }
    }

    private static String text(@org.jspecify.annotations.Nullable Object value) {
        if (value == null) {
            return "null";
        }
        try {
            return Redactor.redact(String.valueOf(value));
        } catch (StackOverflowError e) {
            return "<unrenderable " + value.getClass().getName() + ">";
        } catch (VirtualMachineError e) {
            throw e; // out of memory: let the endpoint answer 500
        } catch (Throwable e) {
            return "<unrenderable " + value.getClass().getName() + ">";
        }
    }

    private void comma() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void string(String s) {
        out.append('"');
        int start = 0;
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            String escape = null;
            if (c == '"') {
                escape = "\\\"";
            } else if (c == '\\') {
                escape = "\\\\";
            } else if (c == 0x2028 || c == 0x2029) {
                escape = c == 0x2028 ? "\\u2028" : "\\u2029";
            } else if (c < 0x20) {
                escape = switch (c) {
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\t' -> "\\t";
                    case '\b' -> "\\b";
                    case '\f' -> "\\f";
                    default -> "\\u00" + HEX[c >> 4] + HEX[c & 0xF];
                };
            } else if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < length
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (paired) {
                    i++;
                    continue;
                }
                escape = "\\ufffd"; // a lone surrogate cannot be encoded in UTF-8
            }
            if (escape != null) {
                out.append(s, start, i).append(escape);
                start = i + 1;
            }
        }
        out.append(s, start, length).append('"');
    }
}
