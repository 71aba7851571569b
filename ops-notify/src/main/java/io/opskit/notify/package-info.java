/**
 * Notifiers for {@link io.opskit.api.notify.OpsEvent}s and the machinery that delivers them.
 *
 * <p>{@link io.opskit.notify.EmailNotifier}, {@link io.opskit.notify.WebhookNotifier} and
 * {@link io.opskit.notify.PagerDutyNotifier} build asynchronous notifiers by default
 * ({@link io.opskit.notify.AsyncNotifier}: a bounded queue, retries, a dead-letter log line,
 * de-duplication and rate limiting per source, configured by {@link io.opskit.notify.Delivery});
 * {@link io.opskit.notify.Notifiers#async(String, io.opskit.api.notify.Notifier)} wraps any other
 * notifier the same way. {@link io.opskit.notify.NotifierRouter} sends each event to the notifiers
 * whose routes match it. Every notifier here redacts summaries and labels with
 * {@link io.opskit.api.Redactor} before they leave the process.
 */
@NullMarked
package io.opskit.notify;

import org.jspecify.annotations.NullMarked;
