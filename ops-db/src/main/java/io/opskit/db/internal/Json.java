package io.opskit.db.internal;

import java.util.List;
import java.util.Map;

/** A small JSON writer for reports (maps, lists, strings, numbers, booleans, null). */
public final class Json {

    private Json() {
    }

    /** Writes {@code value} as JSON, indented by two spaces per level when {@code pretty}. */
    public static String write(Object value, boolean pretty) {
        StringBuilder out = new StringBuilder();
        value(out, value, pretty, 0);
        return out.toString();
    }

    private static void value(StringBuilder out, Object v, boolean pretty, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            out.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(out, pretty, depth + 1);
                string(out, String.valueOf(e.getKey()));
                out.append(pretty ? ": " : ":");
                value(out, e.getValue(), pretty, depth + 1);
            }
            if (!map.isEmpty()) {
                newline(out, pretty, depth);
            }
            out.append('}');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                newline(out, pretty, depth + 1);
                value(out, list.get(i), pretty, depth + 1);
            }
            if (!list.isEmpty()) {
                newline(out, pretty, depth);
            }
            out.append(']');
        } else {
            string(out, v.toString());
        }
    }

    private static void newline(StringBuilder out, boolean pretty, int depth) {
        if (pretty) {
            out.append('\n');
            out.append("  ".repeat(depth));
        }
    }

    /** Appends a JSON string literal. */
    public static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
