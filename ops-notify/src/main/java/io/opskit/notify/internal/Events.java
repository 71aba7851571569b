package io.opskit.notify.internal;

import io.opskit.api.Redactor;
import io.opskit.api.notify.OpsEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** Redaction and small helpers over {@link OpsEvent}s, shared by the notifiers. */
public final class Events {

    /** The label a rate-limited notifier adds to the next event: how many were held back before it. */
    public static final String SUPPRESSED_LABEL = "suppressed";

    private Events() {
    }

    /**
     * The event with its source, summary and label values redacted. A label whose name marks it as a
     * secret ({@code password}, {@code token}, ...) has its whole value masked.
     */
    public static OpsEvent redact(OpsEvent event) {
        Map<String, String> labels = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<String, String> e : event.labels().entrySet()) {
            String value = redactLabel(e.getKey(), e.getValue());
            String key = Redactor.redact(e.getKey());
            changed |= !value.equals(e.getValue()) || !key.equals(e.getKey());
            labels.put(key, value);
        }
        String summary = Redactor.redact(event.summary());
        String source = Redactor.redact(event.source());
        if (!changed && summary.equals(event.summary()) && source.equals(event.source())) {
            return event;
        }
        return new OpsEvent(source, event.type(), event.severity(), summary, labels, event.at());
    }

    /** A label value redacted, masked whole when the label's name is that of a secret. */
    public static String redactLabel(String key, String value) {
        String pair = Redactor.redact(key + "=" + value);
        if (pair.startsWith(key + "=")) {
            return pair.substring(key.length() + 1);
        }
        return Redactor.redact(value);
    }

    /** The event with label {@value #SUPPRESSED_LABEL} and a note in its summary, when any were held back. */
    public static OpsEvent withSuppressed(OpsEvent event, long suppressed) {
        if (suppressed <= 0) {
            return event;
        }
        Map<String, String> labels = new LinkedHashMap<>(event.labels());
        labels.put(SUPPRESSED_LABEL, Long.toString(suppressed));
        String summary = event.summary() + " (" + suppressed + " earlier event" + (suppressed == 1 ? "" : "s")
                + " from this source not sent on their own: duplicates or over the rate limit)";
        return new OpsEvent(event.source(), event.type(), event.severity(), summary, labels, event.at());
    }
}
