package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.retention.RetentionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Regression for "one bad manifest blocks the whole repository": a bit flip in one manifest hides at most that backup. */
class ManifestBitFlipProperties {

    private static Path work;
    private static Path pristine;
    private static Path key;
    private static List<String> ids;

    @BeforeContainer
    static void makeBackups() throws Exception {
        work = Files.createTempDirectory("opskit-manifest-flips");
        Path db = work.resolve("live.db");
        TestDb.create(db, 20);
        key = work.resolve("k");
        pristine = work.resolve("repo");
        BackupRepository repository = BackupRepository.builder().directory(pristine).keyProvider(KeyFile.loadOrCreate(key))
                .source(BackupSources.sqlite("db", db)).build();
        for (int i = 0; i < 3; i++) {
            repository.backup();
        }
        ids = repository.list().stream().map(BackupManifest::id).toList();
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (Stream<Path> all = Files.walk(work)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 40)
    void finding7_bitFlipInOneManifest_otherBackupsStayListableVerifiableAndPrunable(
            @ForAll @IntRange(min = 0, max = 2) int victim, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double where,
            @ForAll @IntRange(min = 0, max = 7) int bit) throws Exception {
        Path repo = Files.createTempDirectory(work, "repo");
        copyTree(pristine, repo);
        Path manifest = repo.resolve(ids.get(victim)).resolve("manifest.json");
        byte[] bytes = Files.readAllBytes(manifest);
        int at = (int) (where * bytes.length);
        bytes[at] ^= (byte) (1 << bit);
        Files.write(manifest, bytes);
        BackupRepository repository = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();

        List<String> listed = repository.list().stream().map(BackupManifest::id).toList();
        List<String> others = ids.stream().filter(id -> !id.equals(ids.get(victim))).toList();
        assertThat(listed).containsAll(others);
        assertThat(listed.size() + repository.unreadable().size()).isEqualTo(3);
        for (String id : others) {
            assertThat(repository.verify(id, VerifyLevel.CHECKSUM).verified()).isPresent();
        }
        repository.prune(RetentionPolicy.builder().keepLast(3).build(), false);
        assertThat(Files.exists(manifest)).as("a prune never deletes a backup it cannot read").isTrue();
        deleteTree(repo);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
