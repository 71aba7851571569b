package io.opskit.notify;

import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import io.opskit.notify.internal.EventTemplate;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings every builder of an Opskit network notifier ({@link EmailNotifier.Builder},
 * {@link WebhookNotifier.Builder}, {@link PagerDutyNotifier.Builder}) shares, with one meaning
 * everywhere: the notifier's {@link #name(String) name}, a {@link #link(String) link} in what it
 * sends, the {@link #timeout(Duration) timeout} of one network exchange, and the
 * {@link #delivery(Delivery) delivery} (queue, retries, executor, scheduler, ticker, registry) that
 * {@link #build()} puts in front of it.
 *
 * <p>Each property may be set once ({@link IllegalStateException} {@code "FIELD was already set"});
 * a bad value throws {@link IllegalArgumentException} naming the field and the value. Not
 * thread-safe. Only this package's builders extend it.
 *
 * @param <N> the synchronous notifier the builder makes
 * @param <B> the builder itself, returned by each setter
 */
public abstract class NotifierBuilder<N extends Notifier, B extends NotifierBuilder<N, B>> {

    /** The longest {@link #timeout(Duration)} accepted. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    private final String defaultName;
    private @Nullable String name;
    private @Nullable EventTemplate link;
    private @Nullable Duration timeout;
    private @Nullable Delivery delivery;

    NotifierBuilder(String defaultName) {
        this.defaultName = defaultName;
    }

    /**
     * The name in log lines, metric tags and {@link NotificationException}s (default: the kind,
     * {@code email}, {@code webhook} or {@code pagerduty}).
     *
     * @throws IllegalArgumentException when blank
     */
    public B name(String value) {
        Checks.requireUnset(name, "name");
        this.name = Checks.requireNonBlank(value, "name");
        return self();
    }

    /**
     * A link put in each mail, message or incident, with URL-encoded placeholders ({@code {source}},
     * {@code {type}}, {@code {severity}}, {@code {label.NAME}}, ...):
     * {@code "https://ops.example.com/events?source={source}"}.
     *
     * @throws IllegalArgumentException naming an unknown placeholder
     */
    public B link(String urlTemplate) {
        Checks.requireUnset(link, "link");
        this.link = EventTemplate.parse(Objects.requireNonNull(urlTemplate, "link"), EventTemplate.Escape.URL,
                "link");
        return self();
    }

    /**
     * How long one network exchange of a delivery attempt may take before the attempt fails as
     * transient (and is retried as the {@link #delivery(Delivery) delivery} says): the whole HTTP
     * request for a webhook or PagerDuty (default 10 s), each SMTP read or write for e-mail
     * (default 30 s). At most {@link #MAX_TIMEOUT}.
     *
     * @throws IllegalArgumentException when not positive or longer than {@link #MAX_TIMEOUT}
     */
    public B timeout(Duration value) {
        Checks.requireUnset(timeout, "timeout");
        this.timeout = Checks.requirePositive(value, "timeout", MAX_TIMEOUT);
        return self();
    }

    /** How {@link #build()} delivers: queue, retries, executor and scheduler (default {@link Delivery#defaults()}). */
    public B delivery(Delivery value) {
        this.delivery = Checks.setOnce(this.delivery, value, "delivery");
        return self();
    }

    /**
     * A running asynchronous notifier: {@link #buildSynchronous()} behind the {@link #delivery(Delivery)
     * delivery}'s bounded queue. Close it to drain and stop it.
     *
     * @throws IllegalStateException when a required property is missing
     */
    public AsyncNotifier build() {
        N notifier = buildSynchronous();
        return Notifiers.async(resolvedName(), notifier,
                deliveryForBuild(delivery == null ? Delivery.defaults() : delivery));
    }

    /**
     * The notifier itself: {@code notify} sends on the caller's thread and throws
     * {@link NotificationException} on failure.
     *
     * @throws IllegalStateException when a required property is missing
     */
    public abstract N buildSynchronous();

    /** The delivery {@link #build()} uses, from the one given or the default; a builder may adjust it. */
    Delivery deliveryForBuild(Delivery given) {
        return given;
    }

    /** @return the name given, or the notifier kind's default */
    String resolvedName() {
        return name == null ? defaultName : name;
    }

    /** @return the link template, if one was given */
    @Nullable EventTemplate linkTemplate() {
        return link;
    }

    /** @return the timeout given, or {@code otherwise} */
    Duration timeoutOr(Duration otherwise) {
        return timeout == null ? otherwise : timeout;
    }

    @SuppressWarnings("unchecked") // B is this builder's own type, as every subclass declares it
    private B self() {
        return (B) this;
    }
}
