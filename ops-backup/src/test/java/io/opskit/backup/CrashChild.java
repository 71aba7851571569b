package io.opskit.backup;

import java.nio.file.Path;

/**
 * The child JVM of {@link CrashSafetyTest}: takes backups in a loop until it is killed, printing
 * "start" before each and "done ID" after each commit.
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) {
        BackupRepository repository = BackupRepository.builder().directory(Path.of(args[0]))
                .keyProvider(KeyFile.load(Path.of(args[1])))
                .source(BackupSources.sqlite("db", Path.of(args[2])))
                .source(BackupSources.files("conf", Path.of(args[3])))
                .build();
        while (true) {
            System.out.println("start");
            System.out.flush();
            BackupManifest made = repository.backup();
            System.out.println("done " + made.id());
            System.out.flush();
        }
    }
}
