package io.opskit.backup.pitr;

import static io.opskit.api.internal.Checks.requirePositive;
import static io.opskit.api.internal.Checks.requireUnset;
import static io.opskit.api.internal.Checks.setOnce;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-lived WAL pusher, so that {@code archive_command} does not start a JVM per segment. Files
 * are handed to it by {@link #submit(Path)} (a host running beside the database) or through a spool
 * directory: {@code archive_command} runs the hand-off script ({@link #writeHandoffScript(Path)}),
 * which copies {@code %p} into {@code SPOOL/tmp}, renames it into {@code SPOOL/incoming} (atomic),
 * and waits for {@code SPOOL/done/NAME} (exit 0) or {@code SPOOL/failed/NAME} (exit 1). Either way
 * success is reported only once the file is durable in the archive.
 *
 * <p>At most {@code queueCap} files wait; beyond that {@link #submit(Path)} fails at once (and the
 * script exits 1, so PostgreSQL keeps the segment and retries). {@link #healthCheck()} goes DOWN
 * and {@code backup.wal.queue_high} is published when the queue reaches {@code downAtQueue}, below
 * the cap. Built running; {@link #close()} stops it within a bounded time. Thread-safe.
 */
public final class WalPusher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WalPusher.class);

    private final WalArchive archive;
    private final @Nullable Path spool;
    private final int queueCap;
    private final int downAtQueue;
    private final Clock clock;
    private final List<Notifier> notifiers;
    private final Executor executor;
    private final @Nullable ExecutorService ownExecutor;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final @Nullable ScheduledFuture<?> scan;
    private final Semaphore slots;
    private final AtomicInteger queued = new AtomicInteger();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> lastFailure = new AtomicReference<>("");
    private final AtomicBoolean high = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private WalPusher(Builder b) {
        this.archive = Objects.requireNonNull(b.archive);
        this.spool = b.spool;
        this.queueCap = b.queueCap == null ? 16 : b.queueCap;
        this.downAtQueue = b.downAtQueue == null ? Math.max(1, queueCap * 3 / 4) : b.downAtQueue;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.notifiers = List.copyOf(b.notifiers);
        this.slots = new Semaphore(queueCap);
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownExecutor = null;
        } else {
            this.ownExecutor = Executors.newFixedThreadPool(2, daemon("opskit-wal-push"));
            this.executor = ownExecutor;
        }
        this.ownScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler
                : Executors.newSingleThreadScheduledExecutor(daemon("opskit-wal-spool"));
        if (spool != null) {
            Duration every = b.scanInterval == null ? Duration.ofMillis(50) : b.scanInterval;
            this.scan = scheduler.scheduleWithFixedDelay(this::scanSpool, 0, every.toMillis(), TimeUnit.MILLISECONDS);
            log.info("WAL pusher started on spool {}, queue cap {}", spool, queueCap);
        } else {
            this.scan = null;
        }
    }

    /** Starts a builder; {@link Builder#archive(WalArchive)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Queues one file; the future completes once it is durable in the archive, or fails with the
     * archive's {@link WalArchiveException} (or {@code STORE} "queue full" when {@code queueCap}
     * files already wait, or after close).
     */
    public CompletableFuture<PushResult> submit(Path file) {
        Objects.requireNonNull(file, "file");
        CompletableFuture<PushResult> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new WalArchiveException(WalArchiveException.Reason.STORE, "the WAL pusher is closed"));
            return result;
        }
        if (!slots.tryAcquire()) {
            result.completeExceptionally(new WalArchiveException(WalArchiveException.Reason.STORE, "WAL pusher queue full ("
                    + queueCap + " files wait); refusing " + file.getFileName() + " so PostgreSQL keeps it and retries"));
            return result;
        }
        int depth = queued.incrementAndGet();
        if (depth >= downAtQueue && high.compareAndSet(false, true)) {
            event("backup.wal.queue_high", Severity.CRITICAL, depth + " WAL files wait to be archived (DOWN at "
                    + downAtQueue + ", cap " + queueCap + "); the WAL store is failing or too slow");
        }
        try {
            executor.execute(() -> {
                try {
                    result.complete(archive.push(file));
                    lastFailure.set("");
                } catch (RuntimeException e) {
                    lastFailure.set(e.getMessage() == null ? e.toString() : e.getMessage());
                    result.completeExceptionally(e);
                } finally {
                    slots.release();
                    if (queued.decrementAndGet() < downAtQueue) {
                        high.set(false);
                    }
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            queued.decrementAndGet();
            result.completeExceptionally(e);
        }
        return result;
    }

    /** How many files wait or are being pushed. */
    public int queued() {
        return queued.get();
    }

    /** DOWN when the queue reaches {@code downAtQueue} (below the cap); DEGRADED while pushes fail. */
    public HealthCheck healthCheck() {
        return () -> {
            int depth = queued.get();
            HealthResult.Builder r = HealthResult.builder(HealthStatus.UP).detail("queued", depth)
                    .detail("queueCap", queueCap).detail("downAtQueue", downAtQueue);
            String failure = Objects.requireNonNullElse(lastFailure.get(), "");
            if (depth >= downAtQueue) {
                r.status(HealthStatus.DOWN).message(depth + " WAL files wait to be archived (DOWN at " + downAtQueue
                        + ", cap " + queueCap + ")" + (failure.isEmpty() ? "" : "; last failure: " + failure));
            } else if (!failure.isEmpty()) {
                r.status(HealthStatus.DEGRADED).message("WAL pushes are failing: " + failure);
            }
            return r.build();
        };
    }

    private void scanSpool() {
        Path spool = Objects.requireNonNull(this.spool, "scans run only with a spool");
        Path incoming = spool.resolve("incoming");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(incoming)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!inFlight.add(name)) {
                    continue;
                }
                // Take the file out of incoming first, so a re-handed copy is a new submission.
                Path working = spool.resolve("working").resolve(name);
                try {
                    Files.move(f, working, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    inFlight.remove(name);
                    continue;
                }
                submit(working).whenComplete((ok, failure) -> {
                    try {
                        if (failure == null) {
                            Files.deleteIfExists(working);
                            marker("done", name, "");
                        } else {
                            Files.deleteIfExists(working);
                            marker("failed", name, failure.getMessage() == null ? failure.toString() : failure.getMessage());
                        }
                    } catch (IOException e) {
                        log.warn("WAL spool {}: cannot answer for {}: {}", spool, name, e.toString());
                    } finally {
                        inFlight.remove(name);
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            log.debug("WAL spool scan failed: {}", e.toString());
        }
    }

    private void marker(String dir, String name, String text) throws IOException {
        Path spool = Objects.requireNonNull(this.spool, "markers are written only with a spool");
        Path tmp = spool.resolve("tmp").resolve(name + "." + dir + ".opskit");
        Files.writeString(tmp, text.replaceAll("\\R", " ") + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, spool.resolve(dir).resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Creates the spool directories and writes the hand-off script for {@code archive_command}:
     * {@code archive_command = 'SCRIPT SPOOL %p'}. The directories and script must be usable by the
     * server's user.
     *
     * @return the script's path ({@code SPOOL/opskit-wal-handoff})
     */
    public static Path writeHandoffScript(Path spool) throws IOException {
        for (String d : List.of("tmp", "incoming", "working", "done", "failed")) {
            Files.createDirectories(spool.resolve(d));
        }
        Path script = spool.resolve("opskit-wal-handoff");
        Files.writeString(script, """
                #!/bin/sh
                # archive_command = 'opskit-wal-handoff SPOOL %p': hands one WAL file to the Opskit WAL pusher and
                # exits 0 only once the pusher says it is durable in the archive.
                spool="$1"; src="$2"; name=$(basename "$src")
                rm -f "$spool/done/$name" "$spool/failed/$name"
                cp "$src" "$spool/tmp/$name.$$" || exit 1
                mv -f "$spool/tmp/$name.$$" "$spool/incoming/$name" || exit 1
                i=0
                while [ $i -lt 6000 ]; do
                  if [ -e "$spool/done/$name" ]; then rm -f "$spool/done/$name"; exit 0; fi
                  if [ -e "$spool/failed/$name" ]; then cat "$spool/failed/$name" >&2; rm -f "$spool/failed/$name"; exit 1; fi
                  sleep 0.05; i=$((i+1))
                done
                echo "opskit WAL pusher did not answer for $name within 300s" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private void event(String type, Severity severity, String summary) {
        log.warn("WAL pusher: {}", summary);
        OpsEvent e = new OpsEvent("backup:" + archive.name(), type, severity, summary, Map.of(), clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(e);
            } catch (RuntimeException ex) {
                log.warn("notifier failed on {}: {}", type, ex.toString());
            }
        }
    }

    /** Stops scanning and pushing; pushes in progress get up to 10 s. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scan != null) {
            scan.cancel(false);
        }
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
            try {
                if (!ownExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                    ownExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                ownExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        log.info("WAL pusher stopped");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds a running {@link WalPusher}; single-valued properties may be set once. Not thread-safe. */
    public static final class Builder {
        private @Nullable WalArchive archive;
        private @Nullable Path spool;
        private @Nullable Integer queueCap;
        private @Nullable Integer downAtQueue;
        private @Nullable Clock clock;
        private @Nullable Executor executor;
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable Duration scanInterval;
        private final List<Notifier> notifiers = new ArrayList<>();

        private Builder() {
        }

        /** The archive files go to (required). */
        public Builder archive(WalArchive value) {
            archive = setOnce(archive, value, "archive");
            return this;
        }

        /** A spool directory to watch (see {@link #writeHandoffScript(Path)}); without one only submit() feeds it. */
        public Builder spool(Path value) {
            spool = setOnce(spool, value, "spool");
            return this;
        }

        /** The most files that may wait (16 unless set). */
        public Builder queueCap(int value) {
            requireUnset(queueCap, "queueCap");
            if (value < 2) {
                throw new IllegalArgumentException("queueCap must be at least 2: " + value);
            }
            queueCap = value;
            return this;
        }

        /** The queue depth at which health goes DOWN, below the cap (three quarters of it unless set). */
        public Builder downAtQueue(int value) {
            requireUnset(downAtQueue, "downAtQueue");
            if (value < 1) {
                throw new IllegalArgumentException("downAtQueue must be positive: " + value);
            }
            downAtQueue = value;
            return this;
        }

        /** How often the spool is scanned (50 ms unless set). */
        public Builder scanInterval(Duration value) {
            Objects.requireNonNull(value, "scanInterval");
            requireUnset(scanInterval, "scanInterval");
            scanInterval = requirePositive(value, "scanInterval");
            return this;
        }

        /** Wall time for events. */
        public Builder clock(Clock value) {
            clock = setOnce(clock, value, "clock");
            return this;
        }

        /** Where pushes run (two daemon threads of our own, shut down by close, unless set). */
        public Builder executor(Executor value) {
            executor = setOnce(executor, value, "executor");
            return this;
        }

        /** What fires the spool scans (a daemon thread of our own unless set). */
        public Builder scheduler(ScheduledExecutorService value) {
            scheduler = setOnce(scheduler, value, "scheduler");
            return this;
        }

        /** Adds a notifier; repeatable, all hear every event. */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /**
         * Builds and starts the pusher.
         *
         * @throws IllegalStateException when the archive is missing or downAtQueue is not below the cap
         */
        public WalPusher build() {
            if (archive == null) {
                throw new IllegalStateException("archive is required");
            }
            int cap = queueCap == null ? 16 : queueCap;
            if (downAtQueue != null && downAtQueue >= cap) {
                throw new IllegalStateException("downAtQueue must be below queueCap so DOWN comes first: "
                        + downAtQueue + " >= " + cap);
            }
            if (spool != null) {
                try {
                    for (String d : List.of("tmp", "incoming", "working", "done", "failed")) {
                        Files.createDirectories(spool.resolve(d));
                    }
                    // A pusher killed mid-push left its file in working/: hand it over again.
                    try (DirectoryStream<Path> left = Files.newDirectoryStream(spool.resolve("working"))) {
                        for (Path f : left) {
                            Files.move(f, spool.resolve("incoming").resolve(f.getFileName()),
                                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalArgumentException("spool directory cannot be created: " + spool + ": " + e.getMessage());
                }
            }
            return new WalPusher(this);
        }
    }
}
