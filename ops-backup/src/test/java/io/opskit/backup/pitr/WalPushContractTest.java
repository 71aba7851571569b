package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.backup.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL's archive_command / restore_command contract, through the CLI and the library. */
class WalPushContractTest {

    @TempDir
    Path dir;

    private Path repo() {
        return dir.resolve("repo");
    }

    private Path key() throws Exception {
        Path k = dir.resolve("key");
        if (!Files.exists(k)) {
            KeyFile.loadOrCreate(k);
        }
        return k;
    }

    private Path segment(String name, long seed) throws Exception {
        byte[] bytes = new byte[1 << 20];
        new java.util.Random(seed).nextBytes(bytes);
        for (int i = 0; i < bytes.length / 2; i++) {
            bytes[i] = 0; // compressible half, like real WAL
        }
        Path src = Files.createDirectories(dir.resolve("pg_wal-" + seed)).resolve(name);
        Files.write(src, bytes);
        return src;
    }

    private PgFixture.Cli push(Path file) throws Exception {
        return PgFixture.cli("wal-push", "--repo", repo().toString(), "--key-file", key().toString(), file.toString());
    }

    private PgFixture.Cli fetch(String name, Path to) throws Exception {
        return PgFixture.cli("wal-fetch", "--repo", repo().toString(), "--key-file", key().toString(), name, to.toString());
    }

    @Test
    void walPush_sameSegmentTwice_bothSucceed() throws Exception {
        Path seg = segment("000000010000000000000003", 1);
        PgFixture.Cli first = push(seg);
        PgFixture.Cli second = push(seg);

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.err()).contains("already archived with identical bytes");
        Path back = dir.resolve("back");
        assertThat(fetch("000000010000000000000003", back).code()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(Files.readAllBytes(seg));
    }

    @Test
    void walPush_differentBytesUnderSameName_failsLoudly() throws Exception {
        Path original = segment("000000010000000000000004", 1);
        Path other = segment("000000010000000000000004", 2);
        assertThat(push(original).code()).isZero();

        PgFixture.Cli r = push(other);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("refusing to archive 000000010000000000000004")
                .contains("already holds a different file under that name");
        Path back = dir.resolve("back");
        assertThat(fetch("000000010000000000000004", back).code()).isZero();
        assertThat(Files.readAllBytes(back)).as("the first push stays").isEqualTo(Files.readAllBytes(original));
        WalArchive archive = WalArchive.builder().repository(repo()).keyProvider(KeyFile.load(key())).build();
        assertThatThrownBy(() -> archive.push(other)).isInstanceOf(WalArchiveException.class)
                .extracting(e -> ((WalArchiveException) e).reason()).isEqualTo(WalArchiveException.Reason.MISMATCH);
    }

    @Test
    void walFetch_missingSegment_exitsOneQuietly() throws Exception {
        assertThat(push(segment("000000010000000000000003", 1)).code()).isZero();

        PgFixture.Cli r = fetch("000000010000000000000009", dir.resolve("x"));
        PgFixture.Cli history = fetch("00000002.history", dir.resolve("y"));

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEmpty();
        assertThat(history.code()).isEqualTo(1);
        assertThat(history.err()).isEmpty();
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void walPush_historyAndBackupFiles_roundTripUnderTheirTimeline() throws Exception {
        Path wal = Files.createDirectories(dir.resolve("pg_wal"));
        Path history = Files.writeString(wal.resolve("00000002.history"), "1\t0/3000000\tno recovery target specified\n");
        Path backup = Files.writeString(wal.resolve("000000010000000000000002.00000028.backup"),
                "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nSTOP WAL LOCATION: 0/2000100\n");

        assertThat(push(history).code()).isZero();
        assertThat(push(backup).code()).isZero();

        assertThat(repo().resolve("wal/00000002/00000002.history")).exists();
        assertThat(repo().resolve("wal/00000001/000000010000000000000002.00000028.backup")).exists();
        assertThat(new String(Files.readAllBytes(repo().resolve("wal/00000002/00000002.history")),
                java.nio.charset.StandardCharsets.ISO_8859_1)).as("stored encrypted").doesNotContain("recovery target");
        assertThat(fetch("00000002.history", dir.resolve("h")).code()).isZero();
        assertThat(Files.readString(dir.resolve("h"))).isEqualTo(Files.readString(history));
    }

    @Test
    void walFetch_corruptedObject_exitsAbove125SoRecoveryStops() throws Exception {
        assertThat(push(segment("000000010000000000000003", 1)).code()).isZero();
        Path stored = repo().resolve("wal/00000001/000000010000000000000003");
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 1;
        Files.delete(stored);
        Files.write(stored, bytes);

        PgFixture.Cli r = fetch("000000010000000000000003", dir.resolve("x"));

        assertThat(r.code()).isGreaterThan(125);
        assertThat(r.err()).contains("000000010000000000000003").contains("cannot be read");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(dir.resolve("x.opskit-part")).doesNotExist();
    }

    @Test
    void walPush_segmentOfAnotherSize_isRefused() throws Exception {
        assertThat(push(segment("000000010000000000000003", 1)).code()).isZero();
        Path big = Files.createDirectories(dir.resolve("big")).resolve("000000010000000000000004");
        Files.write(big, new byte[2 << 20]);

        PgFixture.Cli r = push(big);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("this archive holds segments of 1048576 bytes");
    }

    @Test
    void walPush_notAWalName_isRefused() throws Exception {
        Path odd = Files.writeString(dir.resolve("notes.txt"), "x");
        PgFixture.Cli r = push(odd);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not a WAL segment");
    }

    @Test
    void gaps_missingMiddleSegment_isNamed() throws Exception {
        WalArchive archive = WalArchive.builder().repository(repo()).keyProvider(KeyFile.loadOrCreate(key())).build();
        for (String n : List.of("000000010000000000000003", "000000010000000000000004", "000000010000000000000006")) {
            archive.push(segment(n, 3));
        }
        assertThat(archive.gaps()).containsExactly(new WalGap(1, "000000010000000000000005", 1, "000000010000000000000004"));
        assertThatThrownBy(() -> archive.verify(true)).hasMessageContaining("1 segment missing from 000000010000000000000005");
    }
}
