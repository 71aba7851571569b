package io.opskit.metrics;

/**
 * Hears about every request the core has measured, after its timer was recorded. An
 * {@link SloTracker} is one. Called on the request thread, so implementations must be thread-safe,
 * quick and allocation-free; one that throws is logged once at WARN and otherwise ignored.
 */
@FunctionalInterface
public interface RequestListener {

    /**
     * One finished request.
     *
     * @param method        the method tag value ({@code GET}, ..., {@code OTHER})
     * @param route         the route tag value (a template, {@code UNMATCHED}, {@code NOT_FOUND} or {@code OTHER})
     * @param status        the HTTP status code as given to the core
     * @param failed        whether the request ended with an exception
     * @param refused       whether the host refused it on purpose during maintenance
     *                      ({@link RequestMetrics#REFUSED_ATTRIBUTE})
     * @param durationNanos how long it took, in nanoseconds
     */
    void onRequest(String method, String route, int status, boolean failed, boolean refused, long durationNanos);
}
