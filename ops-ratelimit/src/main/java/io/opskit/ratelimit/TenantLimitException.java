package io.opskit.ratelimit;

import java.util.List;

/**
 * A call for a tenant the guard does not track yet was refused: it already tracks
 * {@code maxTenants} tenants and none of them is idle (no call in flight, nothing the in-memory
 * ledger must remember). Raise {@code maxTenants}, or use a shared budget store (whose tenants can
 * always be evicted from memory).
 */
public final class TenantLimitException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    private final String tenant;

    /**
     * @param tenant        the refused tenant
     * @param maxTenants    the configured bound
     * @param fallbackChain the models tried, in order; empty means just this one
     */
    public TenantLimitException(String provider, String model, String tenant, int maxTenants,
                                List<String> fallbackChain) {
        super(provider, model, AiLimit.MAX_TENANTS, chainOf(provider, model, fallbackChain), null,
                "tenant '" + tenant + "' is new and the guard already tracks maxTenants=" + maxTenants
                        + " busy tenants", null);
        this.tenant = tenant;
    }

    /** The refused tenant. */
    public String tenant() {
        return tenant;
    }
}
