package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupStore;
import io.opskit.backup.BackupStores;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

/** Configuration, store resolution from s3:// locations and lifecycle rules. */
class S3BackupStoreConfigTest {

    static S3ProxyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void builder_badValues_refusedNamingFieldAndValue() {
        assertThatThrownBy(() -> S3BackupStore.builder().bucket("No_Such"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket").hasMessageContaining("No_Such");
        assertThatThrownBy(() -> S3BackupStore.builder().prefix("a/../b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix").hasMessageContaining("a/../b");
        assertThatThrownBy(() -> S3BackupStore.builder().partSize(1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("partSize must be between 5 MiB and 512 MiB: 1024");
        assertThatThrownBy(() -> S3BackupStore.builder().archiveStorageClass("COLD"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("archiveStorageClass").hasMessageContaining("COLD");
        assertThatThrownBy(() -> S3BackupStore.builder().archiveStorageClass("GLACIER"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readable at once");
        assertThatThrownBy(() -> S3BackupStore.builder().endpoint(URI.create("ftp://x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("endpoint must be an http or https URL: 'ftp://x'");
        assertThatThrownBy(() -> S3BackupStore.builder().bucket("abc").bucket("abd"))
                .isInstanceOf(IllegalStateException.class).hasMessage("bucket was already set");
        assertThatThrownBy(() -> S3BackupStore.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessage("bucket is required");
    }

    @Test
    void environment_endpointWithCredentials_refusedWithoutEchoingThem() {
        Map<String, String> env = new HashMap<>(server.environment());
        env.put("AWS_ENDPOINT_URL", "http://me:hunter2@127.0.0.1:9000");
        assertThatThrownBy(() -> S3BackupStore.builder().bucket("abc").environment(env).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AWS_ENDPOINT_URL")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void environment_s3EndpointBeatsGeneric_andPathStyleFollows() throws Exception {
        Map<String, String> env = new HashMap<>(server.environment());
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
        env.put("AWS_ENDPOINT_URL_S3", server.endpoint().toString());
        String bucket = server.newBucket();
        try (S3BackupStore store = S3BackupStore.builder().bucket(bucket).environment(env).build()) {
            assertThat(store.writeIfVersion("k", new byte[] {1}, null)).isPresent();
            assertThat(store.toString()).contains(server.endpoint().toString());
        }
    }

    @Test
    void backupStoresOpen_s3Location_opensTheS3StoreFromTheEnvironment() throws Exception {
        String bucket = server.newBucket();
        BackupStore store = BackupStores.open("s3://" + bucket + "/prod/app1", server.environment());
        assertThat(store).isInstanceOf(S3BackupStore.class);
        S3BackupStore s3 = (S3BackupStore) store;
        assertThat(s3.bucket()).isEqualTo(bucket);
        assertThat(s3.prefix()).isEqualTo("prod/app1/");
        try (BackupStore.PendingObject out = store.create("x/manifest.json")) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
            out.commit();
        }
        assertThat(server.admin().headObject(r -> r.bucket(bucket).key("prod/app1/x/manifest.json")).contentLength()).isEqualTo(2);
        s3.close();
    }

    @Test
    void backupStoresOpen_credentialsInLocation_refused() {
        assertThatThrownBy(() -> BackupStores.open("s3://AKIA:secret@bucket/x", server.environment()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret@");
    }

    @Test
    void lifecycleConfiguration_manualsPlan_archivesOnlyUnderThePrefix() throws Exception {
        try (S3BackupStore store = server.store(server.newBucket(), "prod/app1")) {
            BucketLifecycleConfiguration config = store.lifecycleConfiguration(ArchiveTiering.manualsPlan());
            assertThat(config.rules()).hasSize(2);
            LifecycleRule archives = config.rules().get(0);
            assertThat(archives.id()).isEqualTo("opskit-archives-prod-app1");
            assertThat(archives.filter().and().prefix()).isEqualTo("prod/app1/");
            assertThat(archives.filter().and().tags()).singleElement()
                    .satisfies(t -> assertThat(t.key() + "=" + t.value()).isEqualTo("opskit-object=archive"));
            assertThat(archives.transitions()).singleElement().satisfies(t -> {
                assertThat(t.days()).isEqualTo(31);
                assertThat(t.storageClassAsString()).isEqualTo("GLACIER_IR");
            });
            LifecycleRule incomplete = config.rules().get(1);
            assertThat(incomplete.filter().prefix()).isEqualTo("prod/app1/");
            assertThat(incomplete.abortIncompleteMultipartUpload().daysAfterInitiation()).isEqualTo(7);
        }
    }

    @Test
    void archiveTiering_plansS3Refuses_refusedWhenBuilt() {
        assertThatThrownBy(() -> ArchiveTiering.builder().transition(7, "STANDARD_IA"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 30").hasMessageEndingWith(": 7");
        assertThatThrownBy(() -> ArchiveTiering.builder().transition(30, "STANDARD_IA").transition(31, "GLACIER"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("30 days after").hasMessageEndingWith(": 31");
        assertThatThrownBy(() -> ArchiveTiering.builder().transition(40, "GLACIER").transition(40, "DEEP_ARCHIVE"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after the previous");
        assertThatThrownBy(() -> ArchiveTiering.builder().build()).isInstanceOf(IllegalStateException.class);
        ArchiveTiering plan = ArchiveTiering.builder().transition(30, "STANDARD_IA").transition(60, "GLACIER")
                .transition(180, "DEEP_ARCHIVE").build();
        assertThat(plan.steps()).extracting(ArchiveTiering.Step::storageClass)
                .isEqualTo(List.of("STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"));
    }
}
