package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.backup.internal.LeaseLock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies between two local repositories (the S3 direction is tested with the S3 store). */
class BackupCopyTest {

    @TempDir
    Path dir;

    private Path db;
    private KeyFile key;
    private Path keyPath;
    private BackupRepository local;
    private BackupRepository offSite;

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t(v) VALUES ('a'), ('b'), ('c')");
        }
        keyPath = dir.resolve("backup.key");
        key = KeyFile.loadOrCreate(keyPath);
        local = BackupRepository.builder().directory(dir.resolve("local")).keyProvider(key)
                .source(BackupSources.sqlite("app-db", db)).compression(Compression.gzip(1)).build();
        offSite = BackupRepository.builder().directory(dir.resolve("off-site")).keyProvider(key).build();
    }

    private static long rows(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            return r.getLong(1);
        }
    }

    private BackupCopy copy() {
        return BackupCopy.builder().from(local).to(offSite).build();
    }

    @Test
    void copy_verifiedBackup_arrivesVerified_andRestoresFromTheDestination() throws Exception {
        BackupManifest made = local.backup();

        BackupCopy.Result result = copy().copy(made.id());

        assertThat(result).isInstanceOf(BackupCopy.Copied.class);
        assertThat(((BackupCopy.Copied) result).storedBytes()).isEqualTo(made.storedBytes());
        BackupManifest there = offSite.manifest(made.id());
        assertThat(there.sources()).isEqualTo(made.sources());
        assertThat(there.verifiedAtLeast(VerifyLevel.DECODE)).isTrue();
        assertThat(there.lastVerification()).hasValueSatisfying(v -> assertThat(v.passed()).isTrue());
        assertThat(Files.readAllBytes(dir.resolve("off-site").resolve(made.sources().get(0).object())))
                .isEqualTo(Files.readAllBytes(dir.resolve("local").resolve(made.sources().get(0).object())));
        Path restored = dir.resolve("restored.db");
        offSite.restore(made.id(), "app-db", restored.toString(), false);
        assertThat(rows(restored)).isEqualTo(3);
    }

    @Test
    void copyAll_skipsBackupsAlreadyThere_andUnverifiedOnes() {
        BackupManifest first = local.backup();
        copy().copy(first.id());
        BackupManifest second = local.backup();
        BackupRepository unverifiedWriter = BackupRepository.builder().directory(dir.resolve("local")).keyProvider(key)
                .source(BackupSources.sqlite("app-db", db)).compression(Compression.gzip(1)).verifyAfterBackup(false).build();
        BackupManifest unverified = unverifiedWriter.backup();

        List<BackupCopy.Result> results = copy().copyAll();

        assertThat(results).extracting(BackupCopy.Result::id).containsExactly(first.id(), second.id(), unverified.id());
        assertThat(results.get(0)).isInstanceOf(BackupCopy.AlreadyThere.class);
        assertThat(results.get(1)).isInstanceOf(BackupCopy.Copied.class);
        assertThat(results.get(2)).isInstanceOfSatisfying(BackupCopy.NotVerified.class,
                n -> assertThat(n.reason()).contains("never verified").contains("verify it there first"));
        assertThat(offSite.list()).extracting(BackupManifest::id).containsExactly(first.id(), second.id());
        assertThat(copy().copyAll()).hasOnlyElementsOfTypes(BackupCopy.AlreadyThere.class, BackupCopy.NotVerified.class);
    }

    @Test
    void copy_backupWhoseLatestVerificationFailed_isNotCopied() throws Exception {
        BackupManifest made = local.backup();
        Path archive = dir.resolve("local").resolve(made.sources().get(0).object());
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 1;
        Files.write(archive, bytes);
        assertThatThrownBy(() -> local.verify(made.id(), VerifyLevel.CHECKSUM)).isInstanceOf(BackupIntegrityException.class);

        BackupCopy.Result result = copy().copy(made.id());

        assertThat(result).isInstanceOfSatisfying(BackupCopy.NotVerified.class,
                n -> assertThat(n.reason()).contains("latest verification (level 1").contains("failed"));
        assertThat(offSite.store().list("")).noneMatch(k -> k.startsWith(made.id()));
    }

    @Test
    void copy_sourceBytesNotMatchingTheManifest_commitNothing() throws Exception {
        BackupManifest made = local.backup(); // verified, then damaged without anyone verifying again
        Path archive = dir.resolve("local").resolve(made.sources().get(0).object());
        Files.write(archive, new byte[] {1}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> copy().copy(made.id())).isInstanceOf(BackupIntegrityException.class)
                .hasMessageContaining("does not match its manifest").hasMessageContaining("not copied");

        assertThat(offSite.list()).isEmpty();
        try (Stream<Path> files = Files.walk(dir.resolve("off-site"))) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> !p.toString().contains(".tmp")))
                    .as("nothing of the copy is left").isEmpty();
        }
    }

    @Test
    void copy_interruptedEarlier_leftoversAreReplaced_andAnotherBackupUnderTheSameIdIsAConflict() throws Exception {
        BackupManifest made = local.backup();
        Path partial = dir.resolve("off-site").resolve(made.sources().get(0).object());
        Files.createDirectories(partial.getParent());
        Files.write(partial, new byte[] {1, 2, 3}); // a copy killed before its manifest

        assertThat(copy().copy(made.id())).isInstanceOf(BackupCopy.Copied.class);
        assertThat(offSite.verify(made.id(), VerifyLevel.DECODE).verifiedAtLeast(VerifyLevel.DECODE)).isTrue();

        Path manifest = dir.resolve("off-site").resolve(made.id()).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"app-db\"", "\"app-db\" "));
        assertThat(copy().copy(made.id())).isInstanceOf(BackupCopy.Conflict.class);
    }

    @Test
    void copy_destinationLocked_isRefused_andBuildRefusesTheSameRepository() throws Exception {
        BackupManifest made = local.backup();
        try (LeaseLock held = LeaseLock.acquire(dir.resolve("off-site"), Clock.systemUTC(), Duration.ofMinutes(5), false)) {
            assertThatThrownBy(() -> copy().copy(made.id())).isInstanceOf(RepositoryLockedException.class)
                    .hasMessageContaining(held.owner());
        }
        assertThat(offSite.list()).isEmpty();
        BackupRepository again = BackupRepository.builder().directory(dir.resolve("local")).keyProvider(key).build();
        assertThatThrownBy(() -> BackupCopy.builder().from(local).to(again).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("to must be another repository");
        assertThatThrownBy(() -> BackupCopy.builder().from(local).build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("to is required: the repository to copy to");
        assertThatThrownBy(() -> BackupCopy.builder().lockLease(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("lockLease must be at least 1 second: PT0.01S");
    }

    @Test
    void copy_withAnotherKeyInTheDestination_failsVerificationOnArrival_andIsRemoved() {
        BackupManifest made = local.backup();
        BackupRepository otherKey = BackupRepository.builder().directory(dir.resolve("elsewhere"))
                .keyProvider(KeyFile.ofKey(new byte[32])).build();

        assertThatThrownBy(() -> BackupCopy.builder().from(local).to(otherKey).build().copy(made.id()))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("failed verification")
                .hasMessageContaining("was removed");

        assertThat(BackupRepository.builder().directory(dir.resolve("elsewhere")).build().list()).isEmpty();
    }

    @Test
    void cliCopy_localToOffSite_thenAllAgain_skipsWhatIsThere() throws Exception {
        String first = local.backup().id();
        String second = local.backup().id();
        String from = dir.resolve("local").toString();
        String to = dir.resolve("off-site-cli").toString();

        Cli one = cli("copy", "--from", from, "--to", to, "--key-file", keyPath.toString(), first);
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).contains("copied   " + first).contains("verified at level 2");

        Cli all = cli("copy", "--from", from, "--to", to, "--key-file", keyPath.toString(), "--all", "--verify-level", "3");
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("present  " + first).contains("copied   " + second)
                .contains("verified at level 3").contains("copied 1 of 2 backups");

        Cli list = cli("list", "--repo", to, "--key-file", keyPath.toString());
        assertThat(list.out()).contains(first).contains(second);
        Path restored = dir.resolve("from-off-site.db");
        Cli restore = cli("restore", "--repo", to, "--key-file", keyPath.toString(), second, "--to", restored.toString());
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(rows(restored)).isEqualTo(3);

        Cli same = cli("copy", "--from", from, "--to", from, "--key-file", keyPath.toString(), "--all");
        assertThat(same.code()).isEqualTo(2);
        assertThat(same.err()).contains("is the --from repository");
        Cli nothing = cli("copy", "--from", dir.resolve("nowhere").toString(), "--to", to, "--key-file",
                keyPath.toString(), "--all");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("no backup repository there");
        assertThat(dir.resolve("nowhere")).doesNotExist();
        Cli neither = cli("copy", "--from", from, "--to", to, "--key-file", keyPath.toString());
        assertThat(neither.code()).isEqualTo(2);
        assertThat(neither.err()).contains("give a backup ID or --all");
    }

    record Cli(int code, String out, String err) {
    }

    private static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.opskit.backup.cli.BackupCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
