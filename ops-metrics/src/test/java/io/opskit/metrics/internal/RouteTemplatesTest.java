package io.opskit.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The trie gives the answer of the linear scan it replaced: the first matching template in order. */
class RouteTemplatesTest {

    /** Few distinct values, so that random templates overlap and random paths match some of them. */
    private static final List<String> TEMPLATE_SEGMENTS = List.of("a", "b", "ab", "{id}", "{name}");
    private static final List<String> PATH_SEGMENTS = List.of("a", "b", "ab", "ba", "c", "A", "");

    @Provide
    Arbitrary<List<String>> templateLists() {
        Arbitrary<String> segment = Arbitraries.of(TEMPLATE_SEGMENTS);
        Arbitrary<String> last = Arbitraries.of("", "", "", "/{rest...}", "/**", "/");
        Arbitrary<String> template = Combinators.combine(segment.list().ofMaxSize(4), last)
                .as((segments, tail) -> "/" + String.join("/", segments) + tail)
                .map(t -> t.startsWith("//") ? t.substring(1) : t);
        return template.list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<String>> pathLists() {
        Arbitrary<String> path = Combinators.combine(Arbitraries.of(PATH_SEGMENTS).list().ofMaxSize(6),
                        Arbitraries.of("", "/", "//"), Arbitraries.of("/", "//", ""))
                .as((segments, tail, head) -> head + String.join("/", segments) + tail);
        return path.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 2000)
    void resolve_randomTemplatesAndPaths_sameAnswerAsTheLinearScan(@ForAll("templateLists") List<String> templates,
                                                                   @ForAll("pathLists") List<String> paths) {
        RouteTemplates trie = new RouteTemplates(templates);
        LinearRouteTemplates linear = new LinearRouteTemplates(templates);
        for (String path : paths) {
            assertThat(trie.resolve("GET", path)).as("templates %s, path '%s'", templates, path)
                    .isEqualTo(linear.resolve("GET", path));
        }
    }

    @Test
    void resolve_variableBeforeLiteralInOrder_firstInOrderWinsAsBefore() {
        RouteTemplates trie = new RouteTemplates(List.of("/items/{id}", "/items/new", "/files/**", "/files/a/b"));
        assertThat(trie.resolve("GET", "/items/new")).contains("/items/{id}");
        assertThat(trie.resolve("GET", "/files/a/b")).contains("/files/**");
        RouteTemplates literalFirst = new RouteTemplates(List.of("/items/new", "/items/{id}"));
        assertThat(literalFirst.resolve("GET", "/items/new")).contains("/items/new");
        assertThat(literalFirst.resolve("GET", "/items/7")).contains("/items/{id}");
    }

    @Test
    void finding6_tenThousandTemplates_eachOnesPathFoundByTheTrieAsByTheScan() {
        List<String> templates = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            templates.add("/api/v1/resource" + i + "/{id}");
            templates.add("/api/v1/resource" + i + "/{id}/items");
        }
        RouteTemplates trie = new RouteTemplates(templates);
        LinearRouteTemplates linear = new LinearRouteTemplates(templates);
        for (int i = 0; i < 5_000; i += 37) {
            assertThat(trie.resolve("GET", "/api/v1/resource" + i + "/42")).contains("/api/v1/resource" + i + "/{id}");
            assertThat(trie.resolve("GET", "/api/v1/resource" + i + "/42/items"))
                    .contains("/api/v1/resource" + i + "/{id}/items");
            assertThat(trie.resolve("GET", "/api/v1/resource" + i + "/42/other")).isEmpty();
            assertThat(trie.resolve("GET", "/api/v1/resource" + i + "/42"))
                    .isEqualTo(linear.resolve("GET", "/api/v1/resource" + i + "/42"));
        }
        assertThat(trie.resolve("GET", "/api/v1/resource5000/42")).isEmpty();
    }
}
