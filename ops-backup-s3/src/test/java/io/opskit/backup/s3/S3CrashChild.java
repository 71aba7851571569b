package io.opskit.backup.s3;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * A writer for {@link S3CrashTest} to kill: backs up an endless stream of random bytes into
 * {@code s3://ARGS[0]/ARGS[1]} (endpoint and credentials from the AWS_* variables), printing
 * {@code WRITING} once 16 MiB are written, so that the parent kills it with an upload under way.
 */
public final class S3CrashChild {

    private S3CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        S3BackupStore store = S3BackupStore.builder().bucket(args[0]).prefix(args[1])
                .partSize(S3BackupStore.MIN_PART_SIZE).build();
        BackupSource endless = new BackupSource() {
            @Override
            public String name() {
                return "endless";
            }

            @Override
            public String kind() {
                return "files";
            }

            @Override
            public void writeSnapshot(OutputStream out) throws java.io.IOException {
                byte[] chunk = new byte[64 * 1024];
                Random random = new Random(1);
                for (long written = 0; written < (4L << 30); written += chunk.length) {
                    random.nextBytes(chunk);
                    out.write(chunk);
                    if (written == 16L << 20) {
                        System.out.println("WRITING");
                        System.out.flush();
                    }
                }
            }
        };
        BackupRepository.builder().store(store).keyProvider(KeyFile.loadOrCreate(Path.of(args[2])))
                .source(endless).build().backup();
        System.out.println("FINISHED (the parent should have killed this writer)");
    }
}
