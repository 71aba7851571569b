package io.opskit.backup.s3.internal;

import io.opskit.api.backup.BackupStore;
import io.opskit.backup.BackupStoreProvider;
import io.opskit.backup.s3.S3BackupStore;
import java.net.URI;
import java.util.Map;

/**
 * Opens {@code s3://BUCKET/PREFIX} for {@link io.opskit.backup.BackupStores#open(String)}, with the
 * endpoint, region and credentials from the environment (see {@link S3BackupStore.Builder}).
 */
public final class S3StoreProvider implements BackupStoreProvider {

    /** For ServiceLoader. */
    public S3StoreProvider() {
    }

    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public BackupStore open(URI location, Map<String, String> environment) {
        if (location.getRawUserInfo() != null) {
            throw new IllegalArgumentException("an s3:// repository location must not hold credentials: use"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        if (location.getQuery() != null || location.getFragment() != null) {
            throw new IllegalArgumentException("an s3:// repository location is s3://BUCKET/PREFIX, without ? or #: "
                    + location.getHost());
        }
        String bucket = location.getHost() != null ? location.getHost() : location.getAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("an s3:// repository location names a bucket: s3://BUCKET/PREFIX");
        }
        S3BackupStore.Builder b = S3BackupStore.builder().bucket(bucket).environment(environment);
        String path = location.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            b.prefix(path.substring(1));
        }
        String archiveClass = environment.get("OPSKIT_S3_ARCHIVE_STORAGE_CLASS");
        if (archiveClass != null && !archiveClass.isBlank()) {
            b.archiveStorageClass(archiveClass);
        }
        return b.build();
    }
}
