package io.opskit.backup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.cli.ArchiveCommandMain.ArchiveCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The hand parser of the jar's entry point: complete wal-push/wal-fetch lines only, else picocli. */
class ArchiveCommandMainTest {

    @Test
    void parse_walPushLine_givesRepoKeyAndPath_zstdByDefault() {
        ArchiveCommand c = ArchiveCommand.parse(new String[] {"wal-push", "--repo", "/r", "--key-file", "/k", "pg_wal/000000010000000000000003"})
                .orElseThrow();
        assertThat(c.name()).isEqualTo("wal-push");
        assertThat(c.repo()).isEqualTo(Path.of("/r"));
        assertThat(c.keyFile()).isEqualTo(Path.of("/k"));
        assertThat(c.compression()).isEqualTo("zstd");
        assertThat(c.positional()).containsExactly("pg_wal/000000010000000000000003");
    }

    @Test
    void parse_walFetchWithEqualsFormAndPrefetch_givesNamePathAndDepth() {
        ArchiveCommand c = ArchiveCommand.parse(new String[] {"wal-fetch", "--repo=/r", "--key-file=/k", "--prefetch", "8",
                "000000010000000000000003", "pg_wal/RECOVERYXLOG"}).orElseThrow();
        assertThat(c.prefetch()).isEqualTo(8);
        assertThat(c.positional()).containsExactly("000000010000000000000003", "pg_wal/RECOVERYXLOG");
    }

    @Test
    void parse_anythingPicocliMustAnswer_isLeftToIt() {
        for (String[] args : List.of(
                new String[] {"backup", "--repo", "/r"},
                new String[] {"wal-push", "--help"},
                new String[] {"wal-push", "--repo", "/r", "--key-file", "/k"},                       // no PATH
                new String[] {"wal-push", "--repo", "/r", "--key-file", "/k", "a", "b"},             // two PATHs
                new String[] {"wal-push", "--repo", "/r", "a"},                                      // no key
                new String[] {"wal-push", "--repo", "/r", "--repo", "/s", "--key-file", "/k", "a"},  // twice
                new String[] {"wal-push", "--repo", "/r", "--key-file", "/k", "--prefetch", "2", "a"},
                new String[] {"wal-fetch", "--repo", "/r", "--key-file", "/k", "--compression", "none", "a", "b"},
                new String[] {"wal-fetch", "--repo", "/r", "--key-file", "/k", "--prefetch", "0", "a", "b"},
                new String[] {"wal-fetch", "--repo", "/r", "--key-file", "/k", "--bogus", "x", "a", "b"},
                new String[] {"wal-fetch", "--repo", "/r", "--key-file"},
                new String[] {})) {
            assertThat(ArchiveCommand.parse(args)).as(String.join(" ", args)).isEmpty();
        }
    }

    /** Options in any order and either spelling parse to the same command. */
    @Property(tries = 200)
    void parse_optionOrderAndSpelling_doNotMatter(@ForAll long seed) {
        Random random = new Random(seed);
        List<List<String>> options = new ArrayList<>(List.of(
                spell(random, "--repo", "/var/backups/pg"), spell(random, "--key-file", "/etc/opskit/k"),
                spell(random, "--prefetch", "16")));
        Collections.shuffle(options, random);
        List<String> positional = List.of("00000002.history", "pg_wal/RECOVERYHISTORY");
        List<String> args = new ArrayList<>(List.of("wal-fetch"));
        int at = random.nextInt(options.size() + 1); // positionals may come between options too
        for (int i = 0; i < options.size(); i++) {
            if (i == at) {
                args.addAll(positional);
            }
            args.addAll(options.get(i));
        }
        if (at == options.size()) {
            args.addAll(positional);
        }
        Optional<ArchiveCommand> c = ArchiveCommand.parse(args.toArray(String[]::new));
        assertThat(c).contains(new ArchiveCommand("wal-fetch", Path.of("/var/backups/pg"), Path.of("/etc/opskit/k"), "zstd", 16,
                positional));
    }

    private static List<String> spell(Random random, String option, String value) {
        return random.nextBoolean() ? List.of(option, value) : List.of(option + "=" + value);
    }
}
