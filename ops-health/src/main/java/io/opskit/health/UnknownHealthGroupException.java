package io.opskit.health;

/**
 * Thrown when a health report is asked for a group that no check was registered in (other than
 * the always-present {@code liveness}, {@code readiness} and {@code startup}). Register a check
 * with {@link CheckOptions#inGroups(String...)} naming the group, or ask for an existing one.
 */
public final class UnknownHealthGroupException extends IllegalArgumentException {

    private final String group;

    /** @param group the group that was asked for */
    public UnknownHealthGroupException(String group) {
        super("no health check is registered in group '" + group
                + "': register one with CheckOptions.inGroups(\"" + group + "\") or ask for an existing group");
        this.group = group;
    }

    /** The group that was asked for. */
    public String group() {
        return group;
    }
}
