package io.opskit.notify.internal;

import java.util.Map;
import java.util.TreeMap;

/** The little JSON this module writes: quoted strings and flat string objects. */
public final class Json {

    private Json() {
    }

    /** {@code value} as a JSON string literal, quotes included. */
    public static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        escapeInto(sb, value);
        return sb.append('"').toString();
    }

    /** {@code value} escaped for the inside of a JSON string literal (no quotes added). */
    public static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        escapeInto(sb, value);
        return sb.toString();
    }

    private static void escapeInto(StringBuilder sb, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /** A JSON object of string values with keys in sorted order. */
    public static String object(Map<String, String> map) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        }
        return sb.append('}').toString();
    }
}
