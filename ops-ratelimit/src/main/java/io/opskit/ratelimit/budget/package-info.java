/**
 * Budget stores for AI cost budgets: {@link io.opskit.ratelimit.budget.InMemoryBudgetStore} for
 * one process, {@link io.opskit.ratelimit.budget.JdbcBudgetStore} for several instances sharing
 * one budget in PostgreSQL, MariaDB/MySQL or SQLite, and
 * {@link io.opskit.ratelimit.budget.SlicedBudgetStore} to spend leased slices of a shared budget
 * in memory. All implement the ops-api {@link io.opskit.api.budget.BudgetStore} SPI.
 */
@NullMarked
package io.opskit.ratelimit.budget;

import org.jspecify.annotations.NullMarked;
