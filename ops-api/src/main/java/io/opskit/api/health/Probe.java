package io.opskit.api.health;

/**
 * The standard probe kinds a check may serve, as orchestrators such as Kubernetes use them.
 * Hosts may add custom groups by name in ops-health; these three have fixed meanings.
 */
public enum Probe {
    /** Is the process alive? A failure means "restart me". Keep these checks cheap and local. */
    LIVENESS,
    /** Can the process take traffic now? A failure means "route around me". */
    READINESS,
    /** Has the process finished starting? Until it has, liveness is not evaluated. */
    STARTUP;

    /**
     * The group name used for this probe in ops-health and in rendered output.
     *
     * @return {@code "liveness"}, {@code "readiness"} or {@code "startup"}
     */
    public String groupName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
