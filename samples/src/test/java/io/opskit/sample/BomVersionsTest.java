package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The BOMs a host imports must say what the build actually uses. */
class BomVersionsTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> UNPUBLISHED =
            List.of("ops-test-support", "ops-bom", "ops-dependencies", "samples", "benchmarks");

    @Test
    void opsDependencies_versions_equalTheParentPom() throws Exception {
        Map<String, String> parent = properties(Files.readString(ROOT.resolve("pom.xml")));
        Map<String, String> tested = properties(Files.readString(ROOT.resolve("ops-dependencies/pom.xml")));
        assertThat(tested).isNotEmpty();
        tested.forEach((name, version) ->
                assertThat(parent.get(name)).as("parent POM property %s", name).isEqualTo(version));
    }

    @Test
    void opsBom_listsEveryPublishedModule() throws Exception {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("ops-bom/pom.xml"));
        List<String> published = matches(parent, "<module>([^<]+)</module>").stream()
                .filter(m -> !UNPUBLISHED.contains(m)).collect(Collectors.toList());
        assertThat(published).contains("ops-api", "ops-health");
        assertThat(matches(bom, "<artifactId>([^<]+)</artifactId>")).containsAll(published);
    }

    private static Map<String, String> properties(String pom) {
        String block = pom.substring(pom.indexOf("<properties>"), pom.indexOf("</properties>"));
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<([A-Za-z0-9.-]+\\.version)>([^<]+)</").matcher(block);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static List<String> matches(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
