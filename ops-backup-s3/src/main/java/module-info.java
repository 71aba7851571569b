/**
 * Opskit Backup S3: an S3-compatible {@link io.opskit.api.backup.BackupStore} (AWS S3, MinIO, Ceph,
 * R2, S3Proxy) for ops-backup. Start at {@link io.opskit.backup.s3.S3BackupStore#builder()}, or name
 * {@code s3://BUCKET/PREFIX} to {@link io.opskit.backup.BackupStores#open(String)}.
 */
module io.opskit.backup.s3 {
    requires transitive io.opskit.backup;
    requires static org.jspecify;
    requires org.slf4j;
    // The public API takes a credentials provider and returns a lifecycle configuration: both are
    // AWS SDK types, since this module exists to integrate with it.
    requires transitive software.amazon.awssdk.services.s3;
    requires transitive software.amazon.awssdk.auth;
    requires transitive software.amazon.awssdk.identity.spi;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.utils;

    exports io.opskit.backup.s3;

    provides io.opskit.backup.BackupStoreProvider with io.opskit.backup.s3.internal.S3StoreProvider;
}
