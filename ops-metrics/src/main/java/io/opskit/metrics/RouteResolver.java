package io.opskit.metrics;

import io.opskit.metrics.internal.RouteTemplates;
import java.util.List;
import java.util.Optional;

/**
 * Maps a request to its route template ({@code /api/items/{id}}), the only route value that may
 * become a tag. A raw path never does: a path no template matches resolves to empty, which the core
 * records as {@link RequestMetrics#UNMATCHED} (or {@link RequestMetrics#NOT_FOUND} for a 404).
 *
 * <p>Implementations must be thread-safe and must not allocate much: they run on every request (keep
 * one {@code Optional} per template rather than creating one per call).
 */
@FunctionalInterface
public interface RouteResolver {

    /**
     * The template that serves {@code path}; empty when none does.
     *
     * @param method the request method as received
     * @param path   the decoded request path, without query string
     */
    Optional<String> resolve(String method, String path);

    /**
     * A resolver over path templates: literal segments match exactly, a <code>{name}</code> segment
     * matches any one non-empty segment, and a final <code>{name...}</code> or {@code **} matches
     * the rest of the path. The first matching template in the given order wins.
     *
     * @param templates templates starting with {@code /}
     * @throws IllegalArgumentException when a template is malformed; the message names it
     */
    static RouteResolver templates(List<String> templates) {
        return new RouteTemplates(templates);
    }

    /** As {@link #templates(List)}. */
    static RouteResolver templates(String... templates) {
        return new RouteTemplates(List.of(templates));
    }
}
