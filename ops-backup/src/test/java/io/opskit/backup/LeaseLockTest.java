package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.backup.internal.LeaseLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseLockTest {

    @TempDir
    Path dir;

    @Test
    void acquire_whileHeldByLiveWriter_isRefusedWithHolderAndExpiry() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T02:00:00Z"), ZoneOffset.UTC);
        try (LeaseLock first = LeaseLock.acquire(dir, clock, Duration.ofMinutes(1), false)) {
            assertThatThrownBy(() -> LeaseLock.acquire(dir, clock, Duration.ofMinutes(1), false))
                    .isInstanceOf(LeaseLock.HeldException.class)
                    .satisfies(e -> assertThat(((LeaseLock.HeldException) e).holder().expiresAt())
                            .isEqualTo(Instant.parse("2026-11-21T02:01:00Z")));
            assertThat(first.held()).isTrue();
        }
        assertThat(dir.resolve(".lock")).doesNotExist();
    }

    @Test
    void acquire_afterLeaseExpired_takesOverAndOldHolderLosesIt() throws Exception {
        Instant t0 = Instant.parse("2026-11-21T02:00:00Z");
        LeaseLock stale = LeaseLock.acquire(dir, Clock.fixed(t0, ZoneOffset.UTC), Duration.ofMinutes(1), false);

        Clock later = Clock.fixed(t0.plus(Duration.ofMinutes(2)), ZoneOffset.UTC);
        try (LeaseLock fresh = LeaseLock.acquire(dir, later, Duration.ofMinutes(1), false)) {
            assertThat(fresh.held()).isTrue();
            assertThat(stale.renew()).isFalse();
            assertThat(stale.held()).isFalse();
            stale.close(); // must not remove the new holder's lock
            assertThat(LeaseLock.read(dir.resolve(".lock")).owner()).isEqualTo(fresh.owner());
        }
    }

    @Test
    void acquire_lockOfDeadProcessOnThisHost_isTakenOverAtOnce() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        Files.writeString(dir.resolve(".lock"), "{\"owner\":\"crashed\",\"host\":\"" + host + "\",\"pid\":" + dead.pid()
                + ",\"expiresAtMillis\":" + Instant.now().plusSeconds(3600).toEpochMilli() + "}");

        try (LeaseLock lock = LeaseLock.acquire(dir, Clock.systemUTC(), Duration.ofMinutes(1), false)) {
            assertThat(lock.held()).isTrue();
        }
    }

    @Test
    void backup_whileAnotherWriterHoldsLock_throwsRepositoryLocked() throws Exception {
        Path db = dir.resolve("a.db");
        TestDb.create(db, 10);
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k"))).source(BackupSources.sqlite("a", db)).build();
        try (LeaseLock held = LeaseLock.acquire(dir.resolve("repo"), Clock.systemUTC(), Duration.ofMinutes(5), false)) {
            assertThatThrownBy(repository::backup).isInstanceOf(RepositoryLockedException.class)
                    .hasMessageContaining("locked by " + held.owner()).hasMessageContaining("expires by itself");
        }
        assertThat(repository.backup().id()).isNotBlank();
    }
}
