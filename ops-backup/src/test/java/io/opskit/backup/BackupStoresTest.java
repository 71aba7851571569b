package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupStore;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupStoresTest {

    @TempDir
    Path dir;

    @Test
    void open_path_opensLocalDirectoryStore() throws Exception {
        BackupStore store = BackupStores.open(dir.resolve("repo").toString(), Map.of());
        assertThat(store).isInstanceOf(LocalDirectoryStore.class);
        assertThat(((LocalDirectoryStore) store).root()).isEqualTo(dir.resolve("repo"));
        try (BackupStore.PendingObject out = store.create("a/b")) {
            out.write(1);
            out.commit();
        }
        assertThat(store.list("")).containsExactly("a/b");
    }

    @Test
    void open_fileUri_opensLocalDirectoryStore() {
        BackupStore store = BackupStores.open(dir.toUri().toString(), Map.of());
        assertThat(((LocalDirectoryStore) store).root()).isEqualTo(dir);
    }

    @Test
    void localDirectory_s3Location_isEmpty() {
        assertThat(BackupStores.localDirectory("s3://bucket/prefix")).isEmpty();
        assertThat(BackupStores.localDirectory("backups/app")).contains(Path.of("backups/app"));
    }

    @Test
    void open_registeredScheme_usesItsProvider() throws Exception {
        BackupStore store = BackupStores.open("memtest://here/x", Map.of("MEMTEST_GREETING", "hello"));
        assertThat(store.toString()).isEqualTo("MemStore{memtest://here/x, hello}");
    }

    @Test
    void open_s3WithoutTheModule_namesTheModuleToAdd() {
        assertThatThrownBy(() -> BackupStores.open("s3://bucket/prefix", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.opskit:ops-backup-s3")
                .hasMessageContaining("opskit-backup-s3-cli.jar");
    }

    @Test
    void open_unknownScheme_namesTheKnownSchemes() {
        assertThatThrownBy(() -> BackupStores.open("gs://bucket/prefix", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no backup store for the scheme 'gs' in the repository location; known schemes: file, memtest");
    }

    @Test
    void open_empty_refused() {
        assertThatThrownBy(() -> BackupStores.open(" ", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("repository location must not be empty: ' '");
    }

    /** A provider registered through META-INF/services in the test class path. */
    public static final class MemProvider implements BackupStoreProvider {
        @Override
        public String scheme() {
            return "memtest";
        }

        @Override
        public BackupStore open(URI location, Map<String, String> environment) {
            String greeting = environment.getOrDefault("MEMTEST_GREETING", "");
            return new BackupStore() {
                @Override
                public PendingObject create(String key) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public InputStream open(String key) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Optional<Long> size(String key) {
                    return Optional.empty();
                }

                @Override
                public List<String> list(String prefix) {
                    return List.of();
                }

                @Override
                public void delete(String key) {
                }

                @Override
                public String toString() {
                    return "MemStore{" + location + ", " + greeting + "}";
                }
            };
        }
    }

}
