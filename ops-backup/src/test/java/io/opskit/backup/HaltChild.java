package io.opskit.backup;

import io.opskit.backup.internal.CrashPoints;
import io.opskit.backup.retention.RetentionPolicy;
import java.nio.file.Path;

/**
 * The child JVM of {@link HaltAtEveryStepTest}: one backup ({@code backup REPO KEY DB}) or one prune
 * keeping the newest backup ({@code prune REPO KEY DB}), run with {@code -Dopskit.backup.crashAt=K}.
 * When it is not halted it prints {@code steps N}, the number of crash points it passed.
 */
public final class HaltChild {

    private HaltChild() {
    }

    public static void main(String[] args) {
        BackupRepository repository = BackupRepository.builder().directory(Path.of(args[1]))
                .keyProvider(KeyFile.load(Path.of(args[2])))
                .source(BackupSources.sqlite("app-db", Path.of(args[3])))
                .build();
        if (args[0].equals("backup")) {
            repository.backup();
        } else {
            repository.prune(RetentionPolicy.builder().keepLast(1).build(), true);
        }
        System.out.println("steps " + CrashPoints.count());
    }
}
