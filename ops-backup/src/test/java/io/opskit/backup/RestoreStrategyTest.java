package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupSource;
import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore contract is open: a source of an extension's own kind restores through its own strategy. */
class RestoreStrategyTest {

    @TempDir
    Path dir;

    /** An extension's source: a key-value store written as {@code key=value} lines. */
    static final class KvSource implements BackupSource {
        private final String kind;
        final Map<String, String> data = new TreeMap<>();

        KvSource(String kind) {
            this.kind = kind;
        }

        @Override
        public String name() {
            return "settings";
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            for (Map.Entry<String, String> e : data.entrySet()) {
                out.write((e.getKey() + "=" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The extension's own kind of target: a live key-value store. */
    record KvStore(Map<String, String> into) implements RestoreTarget.Custom {
        @Override
        public String describe() {
            return "kv store of " + into.size() + " keys";
        }
    }

    /** The extension's strategy: parses every line, proves the archive, then loads the store. */
    static class KvStrategy implements RestoreStrategy {
        private final String kind;
        final List<String> checkedScratch = new CopyOnWriteArrayList<>();

        KvStrategy(String kind) {
            this.kind = kind;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public Optional<String> refusal(RestoreTarget target, RestoreOptions options) {
            if (!(target instanceof KvStore store)) {
                throw new IllegalArgumentException("a kv backup restores to a KvStore, not " + target.describe());
            }
            return !store.into().isEmpty() && !options.force()
                    ? Optional.of("kv store is not empty; restore with force") : Optional.empty();
        }

        @Override
        public void restore(SnapshotArchive archive, RestoreTarget target, RestoreOptions options) throws IOException {
            Map<String, String> parsed = parse(archive);
            archive.finish();
            KvStore store = (KvStore) target;
            store.into().clear();
            store.into().putAll(parsed);
        }

        @Override
        public void check(SnapshotArchive archive, Path scratchDirectory) throws IOException {
            checkedScratch.add(scratchDirectory.toString());
            parse(archive);
            archive.finish();
        }

        private static Map<String, String> parse(SnapshotArchive archive) throws IOException {
            Map<String, String> parsed = new LinkedHashMap<>();
            BufferedReader in = new BufferedReader(new InputStreamReader(archive.snapshot(), StandardCharsets.UTF_8));
            int number = 0;
            for (String line; (line = in.readLine()) != null; ) {
                number++;
                int eq = line.indexOf('=');
                if (eq < 1) {
                    throw new IOException("line " + number + " of " + archive.sourceName() + " has no key");
                }
                parsed.put(line.substring(0, eq), line.substring(eq + 1));
            }
            return parsed;
        }
    }

    /** Found through ServiceLoader (META-INF/services in the test resources), not given to the builder. */
    public static final class LoadedKind extends KvStrategy {
        public LoadedKind() {
            super("opskit-test-loaded-kv");
        }
    }

    private BackupRepository.Builder repo(BackupSource source) {
        return BackupRepository.builder().directory(dir.resolve("repo")).keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(source).scratchDirectory(dir.resolve("scratch"));
    }

    @Test
    void finding9_extensionKind_backsUpVerifiesAtLevelThreeAndRestoresThroughItsRegisteredStrategy() {
        KvSource source = new KvSource("acme-kv");
        source.data.put("feature.checkout", "on");
        source.data.put("limit.per_minute", "120");
        KvStrategy strategy = new KvStrategy("acme-kv");
        BackupRepository repository = repo(source).restoreStrategy(strategy).verifyLevel(VerifyLevel.TEST_RESTORE).build();

        BackupManifest made = repository.backup();

        assertThat(made.verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
        assertThat(strategy.checkedScratch).as("the level-3 check ran in the repository's scratch space")
                .containsExactly(dir.resolve("scratch").toString());
        Map<String, String> live = new ConcurrentHashMap<>(Map.of("stale", "x"));
        assertThatThrownBy(() -> repository.restore(made.id(), new KvStore(live), RestoreOptions.defaults()))
                .isInstanceOf(RestoreRefusedException.class).hasMessage("kv store is not empty; restore with force");
        assertThat(live).containsOnlyKeys("stale");

        repository.restore(made.id(), new KvStore(live), RestoreOptions.forced());

        assertThat(live).containsExactlyInAnyOrderEntriesOf(Map.of("feature.checkout", "on", "limit.per_minute", "120"));
    }

    @Test
    void finding9_extensionKind_foundThroughServiceLoader_restoresWithoutBeingRegistered() {
        KvSource source = new KvSource("opskit-test-loaded-kv");
        source.data.put("a", "1");
        BackupRepository repository = repo(source).verifyLevel(VerifyLevel.TEST_RESTORE).build();

        BackupManifest made = repository.backup();
        Map<String, String> live = new TreeMap<>();
        repository.restore(made.id(), new KvStore(live), RestoreOptions.defaults());

        assertThat(made.verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
        assertThat(live).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void finding9_extensionKind_withoutAStrategy_isNotCalledVerifiedAtLevelThree_andTheMessageSaysHowToRegister() {
        KvSource source = new KvSource("acme-unregistered");
        source.data.put("a", "1");
        BackupRepository repository = repo(source).build();
        BackupManifest made = repository.backup(); // level 2 needs no strategy

        assertThatThrownBy(() -> repository.verify(made.id(), VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("acme-unregistered").hasMessageContaining("restoreStrategy(");
        assertThatThrownBy(() -> repository.restore(made.id(), new KvStore(new TreeMap<>()), RestoreOptions.defaults()))
                .isInstanceOf(BackupFailedException.class).hasMessageContaining("no restore strategy for source kind 'acme-unregistered'");
        assertThat(repository.manifest(made.id()).verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isFalse();
    }

    @Test
    void finding9_extensionCheckThatFails_recordsTheBackupAsFailingLevelThree() {
        KvSource source = new KvSource("acme-kv");
        source.data.put("=no key", "x"); // a line the strategy cannot parse
        BackupRepository repository = repo(source).restoreStrategy(new KvStrategy("acme-kv")).build();
        BackupManifest made = repository.backup();

        assertThatThrownBy(() -> repository.verify(made.id(), VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class)
                .hasMessageContaining("test restore of backup " + made.id()).hasMessageContaining("line 1 of settings has no key");
        assertThat(repository.manifest(made.id()).verifiedAtLeast(VerifyLevel.DECODE)).as("the newest verification failed").isFalse();
    }

    @Test
    void finding9_typedTargets_aTargetOfTheWrongKind_isRefusedNamingBoth() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 10);
        BackupRepository repository = repo(BackupSources.sqlite("app-db", db)).build();
        BackupManifest made = repository.backup();

        assertThatThrownBy(() -> repository.restore(made.id(), RestoreTarget.directory(dir.resolve("out")), RestoreOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sqlite backup restores to RestoreTarget.file(path)").hasMessageContaining("out");
        assertThatThrownBy(() -> repository.restore(made.id(), new KvStore(new TreeMap<>()), RestoreOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kv store of 0 keys");

        repository.restore(made.id(), RestoreTarget.file(dir.resolve("restored.db")), RestoreOptions.defaults());
        assertThat(TestDb.count(dir.resolve("restored.db"))).isEqualTo(10);
        assertThat(repository.target(made.id(), "app-db", "x.db")).isEqualTo(RestoreTarget.file(Path.of("x.db")));
    }

    @Test
    void restoreStrategy_sameKindTwice_isRefusedNamingTheKind() {
        BackupRepository.Builder builder = BackupRepository.builder().restoreStrategy(new KvStrategy("acme-kv"));
        assertThatThrownBy(() -> builder.restoreStrategy(new KvStrategy("acme-kv")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restoreStrategy for kind 'acme-kv' was already added");
    }

    @Test
    void registeredStrategy_replacesTheBuiltInOfItsKind() throws Exception {
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("a.txt"), "a");
        List<String> restoredBy = new CopyOnWriteArrayList<>();
        RestoreStrategy own = new RestoreStrategy() {
            @Override
            public String kind() {
                return "files";
            }

            @Override
            public void restore(SnapshotArchive archive, RestoreTarget target, RestoreOptions options) throws IOException {
                archive.finish();
                restoredBy.add("own " + archive.sourceName() + " " + archive.snapshotBytes());
            }
        };
        BackupRepository repository = repo(BackupSources.files("conf", conf)).restoreStrategy(own).build();
        BackupManifest made = repository.backup();

        repository.restore(made.id(), RestoreTarget.directory(dir.resolve("out")), RestoreOptions.defaults());

        assertThat(restoredBy).containsExactly("own conf " + made.sources().get(0).snapshotBytes());
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
