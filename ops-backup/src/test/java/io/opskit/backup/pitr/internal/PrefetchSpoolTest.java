package io.opskit.backup.pitr.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.Ticker;
import io.opskit.backup.KeyFile;
import io.opskit.backup.pitr.PointInTimeRestore;
import io.opskit.backup.pitr.WalArchive;
import io.opskit.testsupport.FakeTicker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background prefetch spool on real files: what it keeps ready, how it follows the server
 * and when it stops. The "server" here takes files the way the restore_command does, by a rename.
 */
class PrefetchSpoolTest {

    @TempDir
    Path dir;

    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final Map<String, byte[]> archived = new HashMap<>();
    private WalArchive archive;
    private Path data;
    private Path spool;

    @BeforeEach
    void archiveEightSegments() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        archive = WalArchive.builder().repository(dir.resolve("repo")).keyProvider(KeyFile.ofKey(key)).build();
        for (int i = 1; i <= 8; i++) {
            String name = segment(1, i);
            byte[] bytes = new byte[1 << 20];
            new SecureRandom().nextBytes(bytes);
            Path file = dir.resolve(name);
            Files.write(file, bytes);
            archive.push(file);
            archived.put(name, bytes);
        }
        data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(data.resolve("pg_wal"));
        Files.writeString(data.resolve("recovery.signal"), "");
        spool = Files.createDirectories(data.resolve(PointInTimeRestore.PREFETCH_DIRECTORY));
    }

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    private static String segment(long timeline, long number) {
        return String.format("%08X%08X%08X", timeline, 0, number);
    }

    @Test
    void run_keepsTheNextSegmentsReadyAndWhole_followsTheServer_removesTheSpoolWhenRecoveryEnds() throws Exception {
        Future<Integer> run = thread.submit(() -> new PrefetchSpool(archive, spool, 3, Duration.ofMinutes(5), Ticker.system())
                .run(segment(1, 1)));

        await(() -> spooled().size() == 3, "three segments ready");
        assertThat(spooled()).containsExactly(segment(1, 2), segment(1, 3), segment(1, 4));
        for (String name : spooled()) {
            assertThat(Files.readAllBytes(spool.resolve(name))).isEqualTo(archived.get(name));
        }

        Files.move(spool.resolve(segment(1, 2)), data.resolve("pg_wal/RECOVERYXLOG")); // the server takes one
        await(() -> spooled().contains(segment(1, 5)), "the next one after a segment was taken");
        assertThat(spooled()).hasSizeLessThanOrEqualTo(3);

        // The server asked for 6 before the spool had it and fetched it itself: the prefetcher
        // drops what the server is past and goes on after 6.
        PrefetchSpool.fetchedDirectly(spool, segment(1, 6));
        await(() -> spooled().equals(List.of(segment(1, 7), segment(1, 8))), "7 and 8, nothing before");

        Files.delete(data.resolve("recovery.signal")); // promoted
        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(6); // 2, 3, 4, 5, 7, 8
        assertThat(spool).doesNotExist();
    }

    @Test
    void run_serverAsksOnAnotherTimeline_dropsTheOldTimelinesFiles() throws Exception {
        Future<Integer> run = thread.submit(() -> new PrefetchSpool(archive, spool, 2, Duration.ofMinutes(5), Ticker.system())
                .run(segment(1, 1)));
        await(() -> spooled().size() == 2, "two segments ready");

        PrefetchSpool.fetchedDirectly(spool, segment(2, 3)); // after a switch to timeline 2 (not archived here)
        await(() -> spooled().isEmpty(), "timeline 1 files dropped");
        Files.delete(data.resolve("recovery.signal"));
        run.get(30, TimeUnit.SECONDS);
        assertThat(spool).doesNotExist();
    }

    @Test
    void run_serverTakesNothingForTheIdleTime_stopsAndEmptiesTheSpool() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Future<Integer> run = thread.submit(() -> new PrefetchSpool(archive, spool, 2, Duration.ofSeconds(60), ticker)
                .run(segment(1, 1)));
        await(() -> spooled().size() == 2, "two segments ready");
        assertThat(run.isDone()).isFalse();

        ticker.advance(Duration.ofSeconds(61));
        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(spooled()).isEmpty();
        assertThat(spool).isDirectory(); // recovery still runs: a later miss starts a new prefetcher in it
    }

    @Test
    void fetchedDirectly_startsOnePrefetcherAtATime() throws Exception {
        assertThat(PrefetchSpool.fetchedDirectly(spool, segment(1, 2))).isTrue();
        assertThat(PrefetchSpool.fetchedDirectly(spool, segment(1, 3))).as("one was just started").isFalse();
    }

    private List<String> spooled() {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.length() == 24).sorted().toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10); // polling the prefetcher's thread, not letting time pass
        }
    }
}
