package io.opskit.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeSnippetsTest {

    @TempDir
    Path dir;

    @Test
    void section_compilesAndRunsTheBlockWithItsImports() throws Exception {
        Path readme = write("# Title", "## Demo", "text", "```java", "import java.util.ArrayList;", "",
                "ArrayList<String> names = new ArrayList<>(seed);", "names.add(\"b\");", "```", "## Next");
        Object result = ReadmeSnippets.of(readme).section("## Demo")
                .compile("names", ReadmeSnippets.Param.of("java.util.List<String>", "seed"))
                .run(List.of("a"));
        assertThat(result).isEqualTo(List.of("a", "b"));
    }

    @Test
    void section_thatDoesNotCompile_failsWithTheCompilerMessage() throws Exception {
        Path readme = write("## Broken", "```java", "Strin x = \"a\";", "```");
        assertThatThrownBy(() -> ReadmeSnippets.of(readme).section("## Broken").compile(null))
                .isInstanceOf(AssertionError.class).hasMessageContaining("does not compile")
                .hasMessageContaining("Strin");
    }

    @Test
    void section_missingBlock_namesTheHeading() throws Exception {
        Path readme = write("## Empty", "no code", "## Other", "```java", "int x = 1;", "```");
        assertThatThrownBy(() -> ReadmeSnippets.of(readme).section("## Empty"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("'## Empty'");
    }

    @Test
    void fakeClock_advances_onlyWhenTold() {
        FakeClock clock = FakeClock.at("2026-03-29T00:00:00Z");
        assertThat(clock.instant()).isEqualTo(clock.instant());
        clock.advance(Duration.ofSeconds(30));
        assertThat(clock.instant()).hasToString("2026-03-29T00:00:30Z");
        FakeTicker ticker = new FakeTicker();
        long before = ticker.read();
        ticker.advance(Duration.ofMillis(5));
        assertThat(ticker.read() - before).isEqualTo(5_000_000L);
        assertThatThrownBy(() -> ticker.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    private Path write(String... lines) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.write(readme, List.of(lines));
        return readme;
    }
}
