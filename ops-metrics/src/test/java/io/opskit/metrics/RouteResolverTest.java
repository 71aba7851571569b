package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RouteResolverTest {

    private final RouteResolver resolver = RouteResolver.templates(
            "/", "/api/items", "/api/items/{id}", "/api/items/{id}/reviews", "/static/{path...}");

    @Test
    void resolve_paths_matchTemplatesInOrder() {
        assertThat(resolver.resolve("GET", "/")).contains("/");
        assertThat(resolver.resolve("GET", "/api/items")).contains("/api/items");
        assertThat(resolver.resolve("GET", "/api/items/")).contains("/api/items");
        assertThat(resolver.resolve("GET", "/api/items/42")).contains("/api/items/{id}");
        assertThat(resolver.resolve("GET", "/api/items/42/reviews")).contains("/api/items/{id}/reviews");
        assertThat(resolver.resolve("GET", "/static/css/site.css")).contains("/static/{path...}");
        assertThat(resolver.resolve("GET", "/static")).isEmpty();
        assertThat(resolver.resolve("GET", "/api/items/42/other")).isEmpty();
        assertThat(resolver.resolve("GET", "/api/itemsx")).isEmpty();
    }

    @Test
    void templates_malformed_namesTemplate() {
        assertThatThrownBy(() -> RouteResolver.templates("api/items"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route template must start with '/': 'api/items'");
        assertThatThrownBy(() -> RouteResolver.templates("/a/**/b"))
                .hasMessage("route template may match the rest of the path only in its last segment: '/a/**/b'");
        assertThatThrownBy(() -> RouteResolver.templates("/a/x{id}"))
                .hasMessageContaining("'/a/x{id}'");
    }

    @Property
    void resolve_anyPath_returnsATemplateOrNull(@ForAll("paths") String path) {
        String route = resolver.resolve("GET", path).orElse(null);
        // Whatever the path, the result is one of the host's templates: never the raw path.
        assertThat(route == null || List.of("/", "/api/items", "/api/items/{id}", "/api/items/{id}/reviews",
                "/static/{path...}").contains(route)).isTrue();
    }

    @Property
    void resolve_concreteItemPath_matchesVariableTemplate(@ForAll("segments") String id) {
        assertThat(resolver.resolve("GET", "/api/items/" + id)).contains("/api/items/{id}");
        assertThat(resolver.resolve("GET", "/api/items/" + id + "/reviews")).contains("/api/items/{id}/reviews");
    }

    @Provide
    Arbitrary<String> segments() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars("-_.%")
                .ofMinLength(1).ofMaxLength(20);
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars("/{}.*-").ofMaxLength(40).map(s -> "/" + s);
    }
}
