package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer killed with SIGKILL at random moments never leaves a backup that looks complete. */
class CrashSafetyTest {

    @TempDir
    Path dir;

    @Test
    void backup_killedAtRandomPoints_leavesNoVisiblePartialAndEarlierBackupsVerify() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 3000);
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("app.properties"), "a=1\n");
        Path key = dir.resolve("k");
        KeyFile.loadOrCreate(key);
        Path repo = dir.resolve("repo");
        Random random = new Random();
        AtomicInteger started = new AtomicInteger();
        Set<String> committed = new HashSet<>();
        int rounds = 0;
        while (started.get() < 30 || rounds < 4) {
            rounds++;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName(), repo.toString(), key.toString(), db.toString(), conf.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> doneThisRound = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.equals("start")) {
                            started.incrementAndGet();
                        } else if (line.startsWith("done ")) {
                            synchronized (doneThisRound) {
                                doneThisRound.add(line.substring(5));
                            }
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the child was killed
                }
            });
            reader.start();
            // Kill at a random moment once backups are under way.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int before = started.get();
            while (started.get() == before && System.nanoTime() < deadline && child.isAlive()) {
                Thread.onSpinWait();
            }
            child.waitFor(20 + random.nextInt(700), TimeUnit.MILLISECONDS);
            child.destroyForcibly(); // SIGKILL
            child.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
            synchronized (doneThisRound) {
                committed.addAll(doneThisRound);
            }

            BackupRepository check = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();
            List<BackupManifest> visible = check.list();
            Set<String> visibleIds = new HashSet<>();
            for (BackupManifest m : visible) {
                visibleIds.add(m.id());
                assertThat(m.sources()).extracting(BackupManifest.SourceEntry::name).containsExactly("db", "conf");
                check.verify(m.id(), VerifyLevel.DECODE); // throws if any visible backup is damaged
            }
            assertThat(visibleIds).containsAll(committed);
        }
        assertThat(started.get()).isGreaterThanOrEqualTo(30);

        // The next writer clears what the killed ones left behind.
        BackupRepository next = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key))
                .source(BackupSources.sqlite("db", db)).build();
        next.backup();
        try (Stream<Path> tmp = Files.list(repo.resolve(".tmp"))) {
            assertThat(tmp).isEmpty();
        }
        try (Stream<Path> ids = Files.list(repo)) {
            ids.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(p ->
                    assertThat(p.resolve("manifest.json")).as("every backup directory is committed").isRegularFile());
        }
    }
}
