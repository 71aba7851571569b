package io.opskit.health.internal;

import io.opskit.api.Redactor;
import org.jspecify.annotations.Nullable;

/**
 * Turns what went wrong in a check into a one-line message that carries no secret. Never throws:
 * an exception whose {@code getMessage()} throws, or a text the redactor cannot process, gives a
 * message that says so instead.
 */
public final class Failures {

    private static final int MAX_MESSAGE = 300;
    /** Only the first line, and at most this much of it, is redacted and kept. */
    private static final int MAX_SCANNED = 4096;

    private Failures() {
    }

    /**
     * {@code "SimpleTypeName: message"} with secrets masked and the text cut to one line of at most
     * 300 characters; just the type name when the exception has no message.
     */
    public static String describe(Throwable error) {
        String type = typeName(error);
        String message;
        try {
            message = error.getMessage();
        } catch (Throwable t) {
            return type + " (its message could not be read: " + typeName(t) + ")";
        }
        return message == null || message.isBlank() ? type : type + ": " + scrub(message);
    }

    /** The simple name of the throwable's class, or its full name for an anonymous class. */
    public static String typeName(Throwable error) {
        String simple = error.getClass().getSimpleName();
        return simple.isEmpty() ? error.getClass().getName() : simple;
    }

    /** Masks secrets and keeps the first line, at most 300 characters; null stays null. */
    public static @Nullable String scrubNullable(@Nullable String text) {
        return text == null ? null : scrub(text);
    }

    /** Masks secrets and keeps the first line, at most 300 characters. Never throws. */
    public static String scrub(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        if (line.length() > MAX_SCANNED) {
            line = line.substring(0, MAX_SCANNED);
        }
        String redacted;
        try {
            redacted = Redactor.redact(line).stripTrailing();
        } catch (Throwable t) {
            return "(message withheld: it could not be checked for secrets)";
        }
        return redacted.length() <= MAX_MESSAGE ? redacted : redacted.substring(0, MAX_MESSAGE) + "...";
    }
}
