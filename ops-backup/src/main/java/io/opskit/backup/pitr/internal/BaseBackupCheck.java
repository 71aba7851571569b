package io.opskit.backup.pitr.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The level-3 check of a {@code pg-base} backup: extract it into a scratch directory, start a
 * server on it (it replays the WAL the backup holds up to its consistency point), run a query,
 * stop it and delete everything.
 */
public final class BaseBackupCheck {

    private BaseBackupCheck() {
    }

    /**
     * Runs the check on a decrypted, decompressed base backup stream.
     *
     * @return the number of databases the restored server reports
     * @throws IOException with the server's own words when it does not start or answer
     */
    public static int testRestore(InputStream tar, Path scratchParent) throws IOException {
        Files.createDirectories(scratchParent);
        Path dir = Files.createTempDirectory(scratchParent, "opskit-verify-pg-");
        UserPrincipal owner = LocalCluster.serverOwner();
        try {
            if (owner != null) {
                Files.setOwner(dir, owner);
            }
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Path data = dir.resolve("data");
            TarExtractor.extract(tar, data, owner);
            Files.deleteIfExists(data.resolve("recovery.signal"));
            Files.deleteIfExists(data.resolve("standby.signal"));
            Files.deleteIfExists(data.resolve("postmaster.pid"));
            Path hba = dir.resolve("verify_hba.conf");
            Files.writeString(hba, "local all all trust\n");
            if (owner != null) {
                Files.setOwner(hba, owner);
            }
            try (LocalCluster server = LocalCluster.start(data, dir, List.of("archive_mode=off", "hba_file=" + hba,
                    "shared_buffers=16MB"), false)) {
                String recovering = server.query("postgres", "postgres", "select pg_is_in_recovery()");
                if (!"f".equals(recovering)) {
                    throw new IOException("the restored server is still in recovery");
                }
                return Integer.parseInt(server.query("postgres", "postgres", "select count(*) from pg_database"));
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Deletes a directory tree, best effort. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
