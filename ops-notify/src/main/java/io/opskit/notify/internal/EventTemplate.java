package io.opskit.notify.internal;

import io.opskit.api.notify.OpsEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A text with {@code {placeholder}} fields filled from an event: {@code {source}}, {@code {type}},
 * {@code {severity}} (upper case), {@code {severity_lower}}, {@code {summary}}, {@code {at}} (ISO-8601),
 * {@code {label.NAME}} (empty when absent), {@code {labels}} (a JSON object of the labels),
 * {@code {link}} (the rendered link template, or empty) and {@code {color}} (a hex colour for the
 * severity). Each value is escaped for where the text goes (JSON, URL or plain). Parsed once;
 * immutable and thread-safe.
 */
public final class EventTemplate {

    /** How a substituted value is escaped. */
    public enum Escape {
        /** As is. */
        PLAIN(UnaryOperator.identity()),
        /** For the inside of a JSON string literal. */
        JSON(Json::escape),
        /** As a URL component (UTF-8 percent-encoding). */
        URL(v -> URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));

        private final UnaryOperator<String> escaper;

        Escape(UnaryOperator<String> escaper) {
            this.escaper = escaper;
        }
    }

    private static final Set<String> NAMES = Set.of("source", "type", "severity", "severity_lower", "summary", "at",
            "labels", "link", "color");

    private final String text;
    private final List<Object> parts;
    private final Escape escape;

    private EventTemplate(String text, List<Object> parts, Escape escape) {
        this.text = text;
        this.parts = parts;
        this.escape = escape;
    }

    /**
     * Parses {@code text}.
     *
     * @param field the builder field, for messages
     * @throws IllegalArgumentException naming the field and the placeholder when one is unknown or
     *                                  a brace is not closed
     */
    public static EventTemplate parse(String text, Escape escape, String field) {
        Objects.requireNonNull(text, field);
        List<Object> parts = new ArrayList<>();
        int i = 0;
        StringBuilder literal = new StringBuilder();
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{') {
                int end = text.indexOf('}', i);
                String name = end < 0 ? "" : text.substring(i + 1, end);
                if (isName(name)) {
                    if (literal.length() > 0) {
                        parts.add(literal.toString());
                        literal.setLength(0);
                    }
                    parts.add(new Placeholder(name));
                    i = end + 1;
                    continue;
                }
                if (end > i && name.matches("[a-z_.A-Z0-9-]+")) {
                    throw new IllegalArgumentException(field + " has an unknown placeholder {" + name + "}; known: "
                            + "{source}, {type}, {severity}, {severity_lower}, {summary}, {at}, {labels}, {link}, "
                            + "{color}, {label.NAME}");
                }
            }
            literal.append(c);
            i++;
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return new EventTemplate(text, List.copyOf(parts), escape);
    }

    private static boolean isName(String name) {
        return NAMES.contains(name) || (name.startsWith("label.") && name.length() > "label.".length());
    }

    /** The template as written. */
    public String text() {
        return text;
    }

    /** Whether the template uses {@code {name}}. */
    public boolean uses(String name) {
        return parts.stream().anyMatch(p -> p instanceof Placeholder ph && ph.name.equals(name));
    }

    /** The text with every placeholder filled from {@code event}; {@code link} fills {@code {link}}. */
    public String render(OpsEvent event, String link) {
        StringBuilder sb = new StringBuilder(text.length() + 64);
        for (Object part : parts) {
            if (part instanceof Placeholder p) {
                String value = value(p.name, event, link);
                sb.append(p.name.equals("labels") && escape == Escape.JSON ? value : escape.escaper.apply(value));
            } else {
                sb.append((String) part);
            }
        }
        return sb.toString();
    }

    private static String value(String name, OpsEvent event, String link) {
        return switch (name) {
            case "source" -> event.source();
            case "type" -> event.type();
            case "severity" -> event.severity().name();
            case "severity_lower" -> event.severity().name().toLowerCase(Locale.ROOT);
            case "summary" -> event.summary();
            case "at" -> event.at().toString();
            case "labels" -> Json.object(event.labels());
            case "link" -> link;
            case "color" -> switch (event.severity()) {
                case CRITICAL -> "d32f2f";
                case WARNING -> "f9a825";
                case INFO -> "2e7d32";
            };
            default -> event.labels().getOrDefault(name.substring("label.".length()), "");
        };
    }

    private record Placeholder(String name) {
    }
}
