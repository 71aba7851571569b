package io.opskit.api.budget;

import java.util.Objects;

/**
 * Identifies one budget in one period: {@code scope} names what is counted
 * ({@code "openai/gpt-4o/tenant-42/day"}) and {@code period} names the calendar period
 * ({@code "2026-11-21"}, {@code "2026-11"}). The period is derived from a timestamp by the caller,
 * so a new period starts with a fresh key and no reset job is needed.
 *
 * @param scope  what is counted; 1 to 200 characters, no control characters
 * @param period which period; 1 to 40 characters, no control characters
 */
public record BudgetKey(String scope, String period) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a part is empty, too long, or holds a control character
     */
    public BudgetKey {
        check("scope", scope, 200);
        check("period", period, 40);
    }

    private static void check(String field, String value, int max) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty() || value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    field + " must be 1 to " + max + " printable characters: '" + value + "'");
        }
    }
}
