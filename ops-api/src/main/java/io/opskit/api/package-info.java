/**
 * Types shared by every Opskit module, such as {@link io.opskit.api.Threshold} and
 * {@link io.opskit.api.Redactor}.
 *
 * <p>Sub-packages hold the service-provider interfaces: {@code health} for checks,
 * {@code backup} for snapshot sources, stores and keys, {@code budget} for shared AI cost
 * budgets and {@code notify} for alerts and events.
 */
@NullMarked
package io.opskit.api;

import org.jspecify.annotations.NullMarked;
