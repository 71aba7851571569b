/**
 * The notifier SPI: modules publish {@link io.opskit.api.notify.OpsEvent}s (a health check changed
 * state, an alert fired, a budget crossed its soft limit, a backup failed) to host-supplied
 * {@link io.opskit.api.notify.Notifier}s, which may log, email, or post to a webhook.
 */
@NullMarked
package io.opskit.api.notify;

import org.jspecify.annotations.NullMarked;
