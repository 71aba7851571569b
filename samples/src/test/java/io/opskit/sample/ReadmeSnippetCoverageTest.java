package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.ReadmeSnippets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of the README is compiled by a test through {@link ReadmeSnippets}.
 * A new block fails here until a test compiles it and it is added to {@link #COMPILED}.
 */
class ReadmeSnippetCoverageTest {

    /** Each README java block (its heading and its index below it) and the test that compiles and runs it. */
    private static final Map<String, String> COMPILED = Map.of(
            "## ops-health #0", "ops-health ReadmeExampleTest",
            "## ops-metrics #0", "ops-metrics ReadmeExampleTest",
            "## ops-ratelimit #0", "ops-ratelimit ReadmeExampleTest",
            "## ops-backup #0", "ops-backup ReadmeExampleTest",
            "### Point-in-time recovery (PostgreSQL) #0", "ops-backup PitrReadmeTest",
            "### Off-site repositories on S3 (ops-backup-s3) #0", "ops-backup-s3 S3ReadmeTest",
            "## ops-notify #0", "ops-notify ReadmeExampleTest",
            "## ops-jobs #0", "ops-jobs ReadmeExampleTest",
            "## ops-jobs #1", "samples ReadmeJobsWindowSnippetTest",
            "## ops-db #0", "ops-db ReadmeExampleTest");

    @Test
    void everyJavaBlockOfTheReadme_isCompiledByATest() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Map<String, Integer> perHeading = new LinkedHashMap<>();
        List<String> blocks = new ArrayList<>();
        String heading = "(top)";
        boolean inFence = false;
        for (String line : lines) {
            String stripped = line.strip();
            if (stripped.startsWith("```")) {
                if (!inFence && stripped.equals("```java")) {
                    int index = perHeading.merge(heading, 1, Integer::sum) - 1;
                    blocks.add(heading + " #" + index);
                }
                inFence = !inFence;
            } else if (!inFence && line.startsWith("#") && line.indexOf(' ') > 0) {
                heading = line;
            }
        }
        assertThat(blocks).as("the README's java blocks, each compiled by the test named in COMPILED")
                .containsExactlyInAnyOrderElementsOf(COMPILED.keySet());
        for (String block : blocks) {
            String section = block.substring(0, block.lastIndexOf(" #"));
            int index = Integer.parseInt(block.substring(block.lastIndexOf('#') + 1));
            assertThat(ReadmeSnippets.forProject().section(section, index).body()).as(block).isNotBlank();
        }
    }
}
