package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Any flipped or truncated byte of a stored archive is caught at verify and restore. */
class CorruptionProperties {

    private static Path pristine;
    private static Path work;
    private static Path key;
    private static String id;
    private static String object;
    private static long size;

    record Damage(boolean truncate, double where, int mask) {
    }

    @BeforeContainer
    static void makeBackup() throws Exception {
        work = Files.createTempDirectory("opskit-corruption");
        Path db = work.resolve("live.db");
        TestDb.create(db, 100);
        // Incompressible rows so the archive spans several 1 MiB segments.
        try (Connection c = TestDb.open(db);
             PreparedStatement insert = c.prepareStatement("INSERT INTO notes(body) VALUES (?)")) {
            Random random = new Random(7);
            for (int i = 0; i < 60; i++) {
                byte[] blob = new byte[40_000];
                random.nextBytes(blob);
                insert.setString(1, java.util.Base64.getEncoder().encodeToString(blob));
                insert.executeUpdate();
            }
        }
        key = work.resolve("k");
        pristine = work.resolve("repo");
        BackupRepository repository = BackupRepository.builder().directory(pristine).keyProvider(KeyFile.loadOrCreate(key))
                .source(BackupSources.sqlite("db", db)).compression(Compression.none()).build();
        BackupManifest made = repository.backup();
        id = made.id();
        object = made.sources().get(0).object();
        size = Files.size(pristine.resolve(object));
        assertThat(size).isGreaterThan(2L << 20);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (Stream<Path> all = Files.walk(work)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 255)).as(Damage::new);
    }

    @Property(tries = 25)
    void damagedArchive_isDetectedAtVerifyAndRestore_andLiveDatabaseUntouched(@ForAll("damage") Damage damage) throws Exception {
        Path repo = Files.createTempDirectory(work, "repo");
        copyTree(pristine, repo);
        Path archive = repo.resolve(object);
        long position = Math.min(size - 1, (long) (damage.where() * size));
        if (damage.truncate()) {
            try (var channel = java.nio.channels.FileChannel.open(archive, java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(position);
            }
        } else {
            try (var file = new java.io.RandomAccessFile(archive.toFile(), "rw")) {
                file.seek(position);
                int b = file.read();
                file.seek(position);
                file.write(b ^ damage.mask());
            }
        }
        Path live = work.resolve("live-copy-" + repo.getFileName() + ".db");
        Files.copy(work.resolve("live.db"), live);
        byte[] before = Files.readAllBytes(live);
        BackupRepository repository = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();

        assertThatThrownBy(() -> repository.verify(id, VerifyLevel.CHECKSUM)).isInstanceOf(BackupIntegrityException.class);
        assertThatThrownBy(() -> repository.verify(id, VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);
        assertThatThrownBy(() -> repository.restore(id, live.toString(), true))
                .isInstanceOf(BackupIntegrityException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("wrong key or corrupted archive", "checksum mismatch"));

        assertThat(Files.readAllBytes(live)).isEqualTo(before);
        try (Stream<Path> siblings = Files.list(work)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".restore-"));
        }
        assertThat(repository.list()).singleElement().satisfies(m -> assertThat(m.verifiedAtLeast(VerifyLevel.CHECKSUM))
                .as("the failed verification revokes the backup's verified state").isFalse());
        Files.delete(live);
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
}
