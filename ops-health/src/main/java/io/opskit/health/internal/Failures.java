package io.opskit.health.internal;

import io.opskit.api.Redactor;
import org.jspecify.annotations.Nullable;

/** Turns what went wrong in a check into a one-line message that carries no secret. */
public final class Failures {

    private static final int MAX_MESSAGE = 300;

    private Failures() {
    }

    /**
     * {@code "SimpleTypeName: message"} with secrets masked and the text cut to one line of at most
     * 300 characters; just the type name when the exception has no message.
     */
    public static String describe(Throwable error) {
        String type = error.getClass().getSimpleName().isEmpty() ? error.getClass().getName()
                : error.getClass().getSimpleName();
        String message = error.getMessage();
        return message == null || message.isBlank() ? type : type + ": " + scrub(message);
    }

    /** Masks secrets and keeps the first line, at most 300 characters; null stays null. */
    public static @Nullable String scrubNullable(@Nullable String text) {
        return text == null ? null : scrub(text);
    }

    /** Masks secrets and keeps the first line, at most 300 characters. */
    public static String scrub(String text) {
        String redacted = Redactor.redact(text);
        int newline = redacted.indexOf('\n');
        String line = newline < 0 ? redacted : redacted.substring(0, newline).stripTrailing();
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE) + "...";
    }
}
