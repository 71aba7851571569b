package io.opskit.api.backup;

/**
 * How a restore may treat its target.
 *
 * @param force replace what is at the target (a file is kept aside under a dated name, a database's
 *              objects are replaced); without it a restore over something that exists is refused
 */
public record RestoreOptions(boolean force) {

    private static final RestoreOptions DEFAULTS = new RestoreOptions(false);
    private static final RestoreOptions FORCED = new RestoreOptions(true);

    /**
     * The defaults: never replace what exists.
     *
     * @return options without force
     */
    public static RestoreOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Options that replace what is at the target.
     *
     * @return options with force
     */
    public static RestoreOptions forced() {
        return FORCED;
    }
}
