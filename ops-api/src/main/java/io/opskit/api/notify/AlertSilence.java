package io.opskit.api.notify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Says whether the notifications of an alert rule are silenced at an instant: a maintenance window
 * (ops-jobs {@code MaintenanceWindow}) implements it, an alert evaluator (ops-metrics
 * {@code AlertEvaluator}) consults it for each rule it evaluates. The two modules meet here only,
 * so neither depends on the other.
 *
 * <p>A silence mutes notifications, never evaluation: the evaluator still tracks each rule's state
 * and tells receivers the net change when the silence ends.
 *
 * <p>Implementations must be thread-safe and fast (they are asked once per rule per evaluation)
 * and must not throw.
 */
@FunctionalInterface
public interface AlertSilence {

    /**
     * Why notifications of {@code rule} are silenced at {@code at}, if they are.
     *
     * @param rule the alert rule's name; never null
     * @param at   the evaluator's current time; never null
     * @return a short reason for logs and events, such as {@code "maintenance window weekly"}, or
     *         empty when the rule's notifications go out as usual
     */
    Optional<String> silenced(String rule, Instant at);

    /** @return a silence that never silences anything */
    static AlertSilence none() {
        return (rule, at) -> Optional.empty();
    }

    /**
     * A silence that holds while any of {@code silences} holds; the reason is the first one's.
     *
     * @param silences the silences, in order; none null
     * @return the combined silence
     */
    static AlertSilence anyOf(List<? extends AlertSilence> silences) {
        List<AlertSilence> all = List.copyOf(Objects.requireNonNull(silences, "silences"));
        return (rule, at) -> {
            for (AlertSilence s : all) {
                Optional<String> reason = s.silenced(rule, at);
                if (reason.isPresent()) {
                    return reason;
                }
            }
            return Optional.empty();
        };
    }
}
