package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import java.nio.file.Path;

/**
 * The child JVM of {@link RestoreCrashTest}: one restore, halted at the crash point that
 * {@code -Dopskit.backup.crashAt=K} names; prints the number of points it passed when it finishes.
 * Arguments: repository, key file, backup id, target, {@code force} or {@code new}.
 */
public final class RestoreCrashChild {

    private RestoreCrashChild() {
    }

    public static void main(String[] args) {
        BackupRepository repository = BackupRepository.builder().directory(Path.of(args[0]))
                .keyProvider(KeyFile.load(Path.of(args[1]))).build();
        String id = args[2];
        String source = repository.onlySourceName(id);
        repository.restore(id, source, repository.target(id, source, args[3]),
                args[4].equals("force") ? RestoreOptions.forced() : RestoreOptions.defaults());
        System.out.println("points " + io.opskit.backup.internal.CrashPoints.count());
        System.out.flush();
    }
}
