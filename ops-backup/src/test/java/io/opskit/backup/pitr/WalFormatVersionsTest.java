package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.backup.KeyProvider;
import io.opskit.backup.KeyFile;
import io.opskit.backup.internal.SegmentedAead;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories written by earlier versions stay readable. {@code wal-format-v1/} in the test
 * resources is a WAL archive written by the version that stored "OPSKWAL1" objects (a SHA-256 of
 * the content at their end): a 16 MiB segment (4 KiB of random bytes, then zeros) and a timeline
 * history file, with the test key they were encrypted with (a fixture, not a secret).
 */
class WalFormatVersionsTest {

    private static final String SEGMENT = "000000010000000000000001";
    private static final String HISTORY = "00000002.history";

    @TempDir
    Path dir;

    @Test
    void version1Archive_isFetchedVerifiedAndExtendedByThisVersion() throws Exception {
        Path repo = copyFixture("repo", dir.resolve("repo"));
        Path key = copyFixture("key", dir.resolve("key"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        WalArchive archive = WalArchive.builder().repository(repo).keyProvider(KeyFile.load(key)).build();

        assertThat(archive.fetch(SEGMENT, dir.resolve("segment"))).isTrue();
        assertThat(archive.fetch(HISTORY, dir.resolve("history"))).isTrue();

        byte[] expected = new byte[16 << 20];
        byte[] head = Files.readAllBytes(fixture("segment-head.bin"));
        System.arraycopy(head, 0, expected, 0, head.length);
        assertThat(Arrays.equals(Files.readAllBytes(dir.resolve("segment")), expected))
                .as("the version 1 segment's bytes").isTrue();
        assertThat(Files.readAllBytes(dir.resolve("history"))).isEqualTo(Files.readAllBytes(fixture(HISTORY)));
        // Pushing the same bytes again compares them with the version 1 object: identical.
        Path pgWal = Files.createDirectories(dir.resolve("pg_wal"));
        Files.write(pgWal.resolve(SEGMENT), expected);
        assertThat(archive.push(pgWal.resolve(SEGMENT))).isEqualTo(PushResult.ALREADY_ARCHIVED);

        // The next segment is written in the current version, beside the old ones.
        Files.write(pgWal.resolve("000000010000000000000002"), expected);
        assertThat(archive.push(pgWal.resolve("000000010000000000000002"))).isEqualTo(PushResult.STORED);
        KeyProvider keys = KeyFile.load(key);
        assertThat(plaintextMagic(repo.resolve("wal/00000001/" + SEGMENT), SEGMENT, keys)).isEqualTo("OPSKWAL1");
        assertThat(plaintextMagic(repo.resolve("wal/00000001/000000010000000000000002"), "000000010000000000000002",
                keys)).isEqualTo("OPSKWAL2");
        assertThat(archive.verify(true)).as("objects decoded and checked, of both versions").isEqualTo(3);
        assertThat(archive.fetch("000000010000000000000002", dir.resolve("segment2"))).isTrue();
        assertThat(Arrays.equals(Files.readAllBytes(dir.resolve("segment2")), expected)).isTrue();
    }

    /** The first 8 plaintext bytes of a stored WAL object: its format's magic. */
    static String plaintextMagic(Path object, String name, KeyProvider keys) throws IOException {
        try (InputStream in = Files.newInputStream(object)) {
            byte[] master = keys.key(keys.currentKeyId());
            DataInputStream plain = new DataInputStream(SegmentedAead.decrypt(in, master, null,
                    new SegmentedAead.Binding("wal", name, "wal")));
            byte[] magic = new byte[8];
            plain.readFully(magic);
            return new String(magic, StandardCharsets.US_ASCII);
        }
    }

    private static Path fixture(String relative) throws URISyntaxException {
        return Path.of(WalFormatVersionsTest.class.getResource("/wal-format-v1/" + relative).toURI());
    }

    private static Path copyFixture(String relative, Path to) throws Exception {
        Path from = fixture(relative);
        if (Files.isRegularFile(from)) {
            return Files.copy(from, to);
        }
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }
}
