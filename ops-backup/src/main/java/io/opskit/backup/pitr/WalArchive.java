package io.opskit.backup.pitr;

import static io.opskit.api.internal.Checks.requireUnset;
import static io.opskit.api.internal.Checks.setOnce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.api.internal.NonClosingOutputStream;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.backup.Compression;
import io.opskit.backup.LocalDirectoryStore;
import io.opskit.backup.pitr.internal.SegmentCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL archive of one PostgreSQL cluster inside a backup repository: {@link #push(Path)} for
 * {@code archive_command}, {@link #fetch(String, Path)} for {@code restore_command}, records of base
 * backups, the gap check, restorable ranges and retention anchored on base backups.
 *
 * <p>Each file is compressed and encrypted with the repository's codec and archive format and
 * stored under {@code TIMELINE/NAME} (FORMAT.md, "WAL archive"); a push returns only once the
 * object is durable, so {@code archive_command} may exit 0. Thread-safe: pushes of different files
 * may run concurrently, and concurrent pushes of one name are settled by the store (one wins, the
 * others compare).
 */
public final class WalArchive {

    private static final Logger log = LoggerFactory.getLogger(WalArchive.class);
    /** Base backup records are JSON; archive.json is read by hand so wal-push and wal-fetch never load Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final java.util.regex.Pattern FORMAT_VERSION = java.util.regex.Pattern.compile("\"formatVersion\"\\s*:\\s*(\\d+)");
    private static final java.util.regex.Pattern SEGMENT_BYTES = java.util.regex.Pattern.compile("\"walSegmentBytes\"\\s*:\\s*(\\d+)");
    static final String INFO_KEY = "archive.json";
    static final String BASE_PREFIX = "base/";
    /** The store directory a repository's WAL archive lives in, beside the backups. */
    public static final String DIRECTORY = "wal";
    /** A history file holds one short line per ancestor timeline: anything this large is not one. */
    private static final long MAX_HISTORY_BYTES = 1 << 20;

    private final BackupStore store;
    private final @Nullable KeyProvider keys;
    private final Compression compression;
    private final Clock clock;
    private final String name;
    private final WalMetrics metrics;
    private final List<Notifier> notifiers;
    private volatile long segmentBytes;
    private final java.util.concurrent.ConcurrentHashMap<String, TimelineHistory> historyCache =
            new java.util.concurrent.ConcurrentHashMap<>();

    private WalArchive(Builder b) {
        this.store = Objects.requireNonNull(b.store);
        this.keys = b.keys;
        this.compression = b.compression == null ? Compression.zstd() : b.compression;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.name = b.name == null ? "wal" : b.name;
        this.metrics = b.metrics == null ? WalMetrics.NONE : b.metrics;
        this.notifiers = List.copyOf(b.notifiers);
    }

    /** Starts a builder; {@link Builder#store(BackupStore)} or {@link Builder#repository(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The archive's name in metric tags and events ({@code "wal"} unless set). */
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------------------------- push

    /**
     * Archives one file ({@code %p} of {@code archive_command}): compresses and encrypts it under
     * its timeline and name and returns once it is durable. When the archive already holds that
     * name, the bytes are compared: identical bytes succeed ({@link PushResult#ALREADY_ARCHIVED}),
     * different bytes fail.
     *
     * @throws WalArchiveException {@code MISMATCH} when different bytes are archived under the name,
     *         {@code CORRUPT} when the archived object cannot be read to compare, {@code BAD_NAME},
     *         {@code SEGMENT_SIZE}, or {@code STORE} when the store fails (nothing is visible then)
     */
    public PushResult push(Path file) {
        Objects.requireNonNull(file, "file");
        KeyProvider keys = keys();
        Path fileName = file.getFileName();
        WalFileName wal = parseName(fileName == null ? file.toString() : fileName.toString());
        String key = key(wal);
        try {
            long size = Files.size(file);
            if (wal.kind() == WalFileName.Kind.SEGMENT) {
                checkSegmentSize(wal, size);
            }
            if (store.size(key).isPresent()) {
                return compare(key, wal, file);
            }
            try (BackupStore.PendingObject pending = store.create(key);
                 InputStream in = Files.newInputStream(file)) {
                SegmentCodec.encode(in, size, wal.name(), clock.instant(), compression.codec(), compression.level(),
                        keys, new NonClosingOutputStream(pending));
                pending.commit();
            } catch (FileAlreadyExistsException e) {
                return compare(key, wal, file); // a concurrent push of the same name won
            }
            metrics.pushed(size);
            log.debug("archived {} ({} bytes)", wal.name(), size);
            return PushResult.STORED;
        } catch (WalArchiveException e) {
            metrics.failed(e.reason());
            event("backup.wal.push_failed", Severity.CRITICAL, e.getMessage(), wal.name(), e.reason());
            throw e;
        } catch (NoSuchFileException e) {
            WalArchiveException ex = new WalArchiveException(WalArchiveException.Reason.STORE,
                    "cannot archive " + wal.name() + ": no such file " + e.getFile());
            metrics.failed(ex.reason());
            throw ex;
        } catch (IOException | RuntimeException e) {
            WalArchiveException ex = new WalArchiveException(WalArchiveException.Reason.STORE, "cannot archive "
                    + wal.name() + " into " + store + ": " + oneLine(e) + "; PostgreSQL keeps it and retries", e);
            metrics.failed(ex.reason());
            event("backup.wal.push_failed", Severity.CRITICAL, ex.getMessage(), wal.name(), ex.reason());
            throw ex;
        }
    }

    private PushResult compare(String key, WalFileName wal, Path file) throws IOException {
        long localSize = Files.size(file);
        try (SegmentCodec.Decoded archived = SegmentCodec.open(store.open(key), keys(), wal.name());
             InputStream local = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            SegmentCodec.Header h = archived.header();
            if (!h.name().equals(wal.name())) {
                throw corrupt(key, "holds " + h.name() + ", not " + wal.name());
            }
            if (h.length() != localSize) {
                throw mismatch(wal, h, "the archived file has " + h.length() + " bytes, this one " + localSize);
            }
            byte[] a = new byte[1 << 16];
            byte[] b = new byte[1 << 16];
            long offset = 0;
            for (int n; (n = archived.read(a, 0, a.length)) > 0; ) {
                int m = local.readNBytes(b, 0, n);
                if (m != n || !java.util.Arrays.equals(a, 0, n, b, 0, n)) {
                    throw mismatch(wal, h, "they differ within bytes " + offset + ".." + (offset + n));
                }
                offset += n;
            }
            archived.finish();
            log.info("{} was already archived with identical bytes", wal.name());
            return PushResult.ALREADY_ARCHIVED;
        } catch (SegmentCodec.CorruptObject e) {
            throw corrupt(key, e.getMessage());
        }
    }

    private WalArchiveException mismatch(WalFileName wal, SegmentCodec.Header h, String how) {
        return new WalArchiveException(WalArchiveException.Reason.MISMATCH, "refusing to archive " + wal.name()
                + ": the archive already holds a different file under that name (archived " + h.archivedAt() + "; "
                + how + "); is a second cluster archiving into the same repository? Give each cluster its own");
    }

    private WalArchiveException corrupt(String key, @Nullable String what) {
        return new WalArchiveException(WalArchiveException.Reason.CORRUPT, "archived object " + key + " in " + store
                + " cannot be read: " + what + "; check the key file, or remove the object if it is damaged");
    }

    private void checkSegmentSize(WalFileName wal, long size) throws IOException {
        long known = segmentBytes();
        if (known == 0) {
            if (size < (1 << 20) || size > (1L << 30) || Long.bitCount(size) != 1) {
                throw new WalArchiveException(WalArchiveException.Reason.SEGMENT_SIZE, "refusing to archive "
                        + wal.name() + ": " + size + " bytes is not a WAL segment size (a power of 2, 1 MiB to 1 GiB)");
            }
            writeInfo(size);
        } else if (size != known) {
            throw new WalArchiveException(WalArchiveException.Reason.SEGMENT_SIZE, "refusing to archive " + wal.name()
                    + ": it has " + size + " bytes but this archive holds segments of " + known
                    + " bytes; give a cluster with another --wal-segsize its own repository");
        }
    }

    private void writeInfo(long size) throws IOException {
        String info = "{\"format\":\"opskit-wal-archive\",\"formatVersion\":1,\"walSegmentBytes\":" + size + "}";
        try (BackupStore.PendingObject pending = store.create(INFO_KEY)) {
            pending.write(info.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            pending.commit();
        } catch (FileAlreadyExistsException e) {
            // written concurrently; checked below
        }
        segmentBytes = 0;
        long now = segmentBytes();
        if (now != size) {
            throw new WalArchiveException(WalArchiveException.Reason.SEGMENT_SIZE, "this archive holds segments of "
                    + now + " bytes, not " + size);
        }
    }

    /**
     * The WAL segment size of the archive's cluster, once a segment has been archived.
     *
     * @throws WalArchiveException {@code STORE} when the store cannot be read
     */
    public OptionalLong walSegmentBytes() {
        try {
            long n = segmentBytes();
            return n == 0 ? OptionalLong.empty() : OptionalLong.of(n);
        } catch (IOException e) {
            throw storeFailure("reading " + INFO_KEY, e);
        }
    }

    private long segmentBytes() throws IOException {
        long n = segmentBytes;
        if (n != 0) {
            return n;
        }
        try (InputStream in = store.open(INFO_KEY)) {
            // A flat object of numbers and one string (FORMAT.md): two fields are all a reader needs.
            String info = new String(in.readNBytes(1 << 16), java.nio.charset.StandardCharsets.UTF_8);
            java.util.regex.Matcher version = FORMAT_VERSION.matcher(info);
            java.util.regex.Matcher bytes = SEGMENT_BYTES.matcher(info);
            if (!version.find() || !version.group(1).equals("1")) {
                throw new WalArchiveException(WalArchiveException.Reason.CORRUPT, INFO_KEY + " in " + store
                        + " has format version " + (version.find(0) ? version.group(1) : "(none)") + "; this version reads 1");
            }
            if (!bytes.find()) {
                throw new WalArchiveException(WalArchiveException.Reason.CORRUPT, INFO_KEY + " in " + store
                        + " does not name walSegmentBytes");
            }
            n = Long.parseLong(bytes.group(1));
            segmentBytes = n;
            return n;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------ fetch

    /**
     * Restores one archived file ({@code %f}) to {@code destination} ({@code %p} of
     * {@code restore_command}), through a temporary file beside it that is renamed into place once
     * the whole object has been authenticated.
     *
     * @return false when the archive has no such file (the end of the archive for PostgreSQL)
     * @throws WalArchiveException {@code CORRUPT} when the object exists but fails authentication
     *         or its checksum, {@code STORE} when the store or the destination fails
     */
    public boolean fetch(String fileName, Path destination) {
        Objects.requireNonNull(destination, "destination");
        WalFileName wal = parseName(fileName);
        String key = key(wal);
        InputStream stored;
        try {
            stored = store.open(key);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw storeFailure("reading " + key, e);
        }
        Path dest = destination.toAbsolutePath();
        Path temp = dest.resolveSibling(dest.getFileName() + ".opskit-part");
        try (SegmentCodec.Decoded decoded = SegmentCodec.open(stored, keys(), wal.name())) {
            if (!decoded.header().name().equals(wal.name())) {
                throw corrupt(key, "holds " + decoded.header().name() + ", not " + wal.name());
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                decoded.copyTo(out);
            }
            Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (SegmentCodec.CorruptObject e) {
            throw corrupt(key, e.getMessage());
        } catch (IOException e) {
            throw storeFailure("restoring " + wal.name() + " to " + dest, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** When a file was archived, read from its object's header; empty when it is not archived. */
    public Optional<Instant> archivedAt(String fileName) {
        WalFileName wal = parseName(fileName);
        try (InputStream in = store.open(key(wal))) {
            return Optional.of(SegmentCodec.readHeader(in, keys(), wal.name()).archivedAt());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (SegmentCodec.CorruptObject e) {
            throw corrupt(key(wal), e.getMessage());
        } catch (IOException e) {
            throw storeFailure("reading " + key(wal), e);
        }
    }

    // ------------------------------------------------------------------------------ base backups

    /**
     * Records a base backup, so that restores, ranges, the gap check and retention know what WAL
     * it needs. Written once per backup and source.
     *
     * @throws WalArchiveException {@code STORE} when the record cannot be written
     */
    public void recordBaseBackup(BaseBackup base) {
        Objects.requireNonNull(base, "base");
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("format", "opskit-wal-base-backup");
        node.put("formatVersion", 1);
        node.put("backupId", base.backupId());
        node.put("sourceName", base.sourceName());
        node.put("timeline", base.timeline());
        node.put("startLsn", base.startLsn().toString());
        node.put("stopLsn", base.stopLsn().toString());
        node.put("startedAt", base.startedAt().toString());
        node.put("stoppedAt", base.stoppedAt().toString());
        String key = BASE_PREFIX + base.backupId() + "." + base.sourceName() + ".json";
        try (BackupStore.PendingObject pending = store.create(key)) {
            pending.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
            pending.commit();
        } catch (IOException e) {
            throw storeFailure("recording base backup " + base.backupId(), e);
        }
        log.info("recorded base backup {} on timeline {}: WAL {} to {}", base.backupId(), base.timeline(),
                base.startLsn(), base.stopLsn());
    }

    /**
     * Records the base backup {@code source} just took into committed backup {@code manifest}.
     *
     * @throws IllegalStateException when the source has taken no snapshot
     * @throws WalArchiveException   {@code STORE} when the record cannot be written
     */
    public BaseBackup recordBaseBackup(io.opskit.backup.BackupManifest manifest, PgBaseBackupSource source) {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(source, "source");
        PgBaseBackupSource.Run run = source.lastRun().orElseThrow(() -> new IllegalStateException(
                "source " + source.name() + " has taken no base backup yet"));
        BaseBackup base = run.toBaseBackup(manifest.id(), source.name());
        recordBaseBackup(base);
        return base;
    }

    /** The recorded base backups, oldest first. */
    public List<BaseBackup> baseBackups() {
        List<BaseBackup> all = new ArrayList<>();
        try {
            for (String key : store.list(BASE_PREFIX)) {
                try (InputStream in = store.open(key)) {
                    JsonNode n = Json.MAPPER.readTree(in);
                    all.add(new BaseBackup(n.path("backupId").asText(), n.path("sourceName").asText(),
                            n.path("timeline").asLong(), Lsn.parse(n.path("startLsn").asText()),
                            Lsn.parse(n.path("stopLsn").asText()), Instant.parse(n.path("startedAt").asText()),
                            Instant.parse(n.path("stoppedAt").asText())));
                } catch (RuntimeException e) {
                    throw new WalArchiveException(WalArchiveException.Reason.CORRUPT, "base backup record " + key
                            + " is unreadable: " + oneLine(e));
                }
            }
        } catch (IOException e) {
            throw storeFailure("listing base backups", e);
        }
        all.sort(Comparator.comparing(BaseBackup::startLsn).thenComparing(BaseBackup::backupId));
        return all;
    }

    /** The base backup recorded for a repository backup id, if any. */
    public Optional<BaseBackup> baseBackup(String backupId) {
        Objects.requireNonNull(backupId, "backupId");
        return baseBackups().stream().filter(b -> b.backupId().equals(backupId)).findFirst();
    }

    // ------------------------------------------------------------------------ timelines and gaps

    /** The archived file names per timeline (segments only, in order), read from the store. */
    TreeMap<Long, TreeSet<Long>> segmentsByTimeline() {
        TreeMap<Long, TreeSet<Long>> byTimeline = new TreeMap<>();
        long size;
        try {
            size = segmentBytes();
            if (size == 0) {
                return byTimeline;
            }
            for (String key : store.list("")) {
                int slash = key.indexOf('/');
                if (slash != 8 || key.startsWith(BASE_PREFIX)) {
                    continue;
                }
                WalFileName wal;
                try {
                    wal = WalFileName.parse(key.substring(slash + 1));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (wal.kind() == WalFileName.Kind.SEGMENT) {
                    byTimeline.computeIfAbsent(wal.timeline(), t -> new TreeSet<>()).add(wal.segmentNumber(size));
                }
            }
        } catch (IOException e) {
            throw storeFailure("listing the archive", e);
        }
        return byTimeline;
    }

    /** The keys of the archived timeline history files, by timeline. */
    private Map<Long, String> historyKeys() {
        Map<Long, String> keys = new TreeMap<>();
        try {
            for (String key : store.list("")) {
                int slash = key.indexOf('/');
                if (slash != 8 || key.startsWith(BASE_PREFIX) || !key.endsWith(".history")) {
                    continue;
                }
                try {
                    WalFileName wal = WalFileName.parse(key.substring(slash + 1));
                    if (wal.kind() == WalFileName.Kind.HISTORY && key.startsWith(wal.timelineHex() + "/")) {
                        keys.put(wal.timeline(), key);
                    }
                } catch (IllegalArgumentException e) {
                    // not an archived file
                }
            }
        } catch (IOException e) {
            throw storeFailure("listing the archive", e);
        }
        return keys;
    }

    /**
     * The archived timeline history files, by timeline, parsed. Without a key provider they cannot
     * be read (they are encrypted) and the map is empty: each timeline is then taken on its own.
     */
    Map<Long, TimelineHistory> histories() {
        Map<Long, TimelineHistory> histories = new TreeMap<>();
        if (keys == null) {
            return histories;
        }
        for (Map.Entry<Long, String> e : historyKeys().entrySet()) {
            readHistory(e.getValue()).ifPresent(h -> histories.put(e.getKey(), h));
        }
        return histories;
    }

    private Optional<TimelineHistory> readHistory(String key) {
        TimelineHistory cached = historyCache.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        String fileName = key.substring(key.indexOf('/') + 1);
        InputStream stored;
        try {
            stored = store.open(key);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw storeFailure("reading " + key, e);
        }
        try (SegmentCodec.Decoded d = SegmentCodec.open(stored, keys(), fileName)) {
            if (!d.header().name().equals(fileName)) {
                throw corrupt(key, "holds " + d.header().name() + ", not " + fileName);
            }
            if (d.header().length() > MAX_HISTORY_BYTES) {
                throw corrupt(key, "holds " + d.header().length() + " bytes, too many for a timeline history file");
            }
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            d.copyTo(content);
            TimelineHistory history = TimelineHistory.parse(fileName, content.toByteArray());
            historyCache.put(key, history); // archived files never change: a different one is refused
            return Optional.of(history);
        } catch (SegmentCodec.CorruptObject e) {
            throw corrupt(key, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new WalArchiveException(WalArchiveException.Reason.CORRUPT, "timeline history file " + key + " in "
                    + store + " is not one PostgreSQL writes (" + e.getMessage() + "); restores and the gap check cannot"
                    + " follow that timeline until it is replaced by the server's own copy (pg_wal/" + fileName + ")");
        } catch (IOException e) {
            throw storeFailure("reading " + key, e);
        }
    }

    /**
     * The history of {@code timeline} as archived (its ancestors and switch points); empty for a
     * timeline without a history file (timeline 1) or when this archive has no key provider.
     *
     * @throws WalArchiveException {@code CORRUPT} naming the file and line when it cannot be parsed,
     *         {@code STORE} when the store fails
     */
    public Optional<TimelineHistory> timelineHistory(long timeline) {
        if (keys == null) {
            return Optional.empty();
        }
        String key = String.format(java.util.Locale.ROOT, "%08X/%08X.history", timeline, timeline);
        return readHistory(key);
    }

    /**
     * The timeline PostgreSQL follows with {@code recovery_target_timeline = 'latest'} when it
     * starts from {@code timeline}: the last of {@code timeline + 1, + 2, ...} whose history file
     * the archive holds, probing in order as the server does.
     */
    long newestTimeline(long timeline) {
        Map<Long, String> keys = historyKeys();
        long newest = timeline;
        while (keys.containsKey(newest + 1)) {
            newest++;
        }
        return newest;
    }

    /** The path from {@code base} to {@code timeline}, if that timeline's history follows from it. */
    Optional<WalPath> walPath(BaseBackup base, long timeline) {
        long size = walSegmentBytes().orElseThrow();
        return WalPath.of(base, timeline, histories(), size);
    }

    /**
     * The gap check: segments missing on any timeline between the oldest base backup's start (or
     * the timeline's first archived segment) and the timeline's last archived segment. Timelines
     * are followed as a restore follows them: when a timeline's history descends from a base
     * backup's, the parent's segments are needed up to the switch point and the child's from the
     * segment holding it, so a switch is no gap, and a child missing its first segments or a parent
     * missing the segments before the switch is one. History files are read with the key provider;
     * without one, each timeline is checked on its own.
     *
     * @return the gaps, empty when the archive is contiguous
     * @throws WalArchiveException {@code CORRUPT} when a history file cannot be read or parsed
     */
    public List<WalGap> gaps() {
        TreeMap<Long, TreeSet<Long>> all = segmentsByTimeline();
        if (all.isEmpty()) {
            return List.of();
        }
        long size = walSegmentBytes().orElseThrow();
        List<BaseBackup> bases = baseBackups();
        Map<Long, TimelineHistory> histories = histories();
        TreeMap<Long, Need> needs = new TreeMap<>();
        for (Map.Entry<Long, TreeSet<Long>> e : all.entrySet()) {
            needs.put(e.getKey(), new Need(e.getValue().first(), "the timeline's first archived segment", e.getValue().last()));
        }
        TreeSet<Long> timelines = new TreeSet<>(all.keySet());
        timelines.addAll(histories.keySet());
        for (BaseBackup b : bases) {
            for (long timeline : timelines) {
                Optional<WalPath> path = WalPath.of(b, timeline, histories, size);
                if (path.isEmpty()) {
                    continue;
                }
                List<WalPath.Window> windows = path.get().windows();
                for (int i = 0; i < windows.size(); i++) {
                    WalPath.Window w = windows.get(i);
                    TreeSet<Long> archived = all.get(w.timeline());
                    if (w.isEmpty() || (w.open() && archived == null)) {
                        continue; // nothing archived on the followed timeline yet: nothing to miss
                    }
                    Lsn entered = w.enteredAt();
                    String why = entered == null || i == 0 ? "the start of the oldest base backup"
                            : "the switch from timeline " + windows.get(i - 1).timeline() + " at " + entered;
                    long last = w.open() && archived != null ? archived.last() : w.last();
                    Need n = needs.get(w.timeline());
                    needs.put(w.timeline(), n == null ? new Need(w.first(), why, last) : n.widen(w.first(), why, last));
                }
            }
        }
        List<WalGap> gaps = new ArrayList<>();
        for (Map.Entry<Long, Need> e : needs.entrySet()) {
            long timeline = e.getKey();
            Need need = e.getValue();
            TreeSet<Long> segs = all.getOrDefault(timeline, new TreeSet<>());
            long expected = need.from();
            for (long seg : segs.subSet(need.from(), true, need.to(), true)) {
                if (seg > expected) {
                    gaps.add(gap(timeline, expected, seg - expected, need, size));
                }
                expected = seg + 1;
            }
            if (expected <= need.to()) {
                gaps.add(gap(timeline, expected, need.to() - expected + 1, need, size));
            }
        }
        return gaps;
    }

    private static WalGap gap(long timeline, long first, long missing, Need need, long size) {
        return new WalGap(timeline, WalFileName.segmentName(timeline, first, size), missing,
                first == need.from() ? need.fromWhy() : WalFileName.segmentName(timeline, first - 1, size));
    }

    /** The segments one timeline must hold: {@code from..to}, and why it starts at {@code from}. */
    private record Need(long from, String fromWhy, long to) {
        Need widen(long first, String why, long last) {
            return new Need(Math.min(from, first), first < from ? why : fromWhy, Math.max(to, last));
        }
    }

    /**
     * Per timeline, the range of moments a restore that follows it can reach: for base backups
     * whose WAL is contiguous from their start along the timeline's history (their own timeline,
     * or an ancestor the history left at or after their end), from the oldest one's end to the
     * last contiguous segment. The end time is read from that segment's encrypted header: without
     * a key provider it is reported as the base backup's end, and history files cannot be read, so
     * each timeline is taken on its own.
     *
     * @throws WalArchiveException {@code CORRUPT} when a history file cannot be read or parsed
     */
    public List<RestorableRange> restorableRanges() {
        List<RestorableRange> ranges = new ArrayList<>();
        TreeMap<Long, TreeSet<Long>> all = segmentsByTimeline();
        if (all.isEmpty()) {
            return ranges;
        }
        long size = walSegmentBytes().orElseThrow();
        List<BaseBackup> bases = baseBackups();
        Map<Long, TimelineHistory> histories = histories();
        for (long timeline : all.keySet()) {
            RestorableRange best = null;
            List<String> ids = new ArrayList<>();
            for (BaseBackup b : bases) {
                Optional<RestorableRange> r = range(b, timeline, all, histories, size);
                if (r.isEmpty()) {
                    continue;
                }
                ids.add(b.backupId());
                if (best == null) {
                    best = r.get();
                }
            }
            if (best != null) {
                ranges.add(new RestorableRange(best.timeline(), best.from(), best.to(), best.fromLsn(), best.toLsn(),
                        best.lastSegment(), ids));
            }
        }
        return ranges;
    }

    /**
     * The ranges a restore from one base backup can reach, one per timeline it can follow (its
     * own and the descendants whose history leaves it at or after the backup's end), in timeline
     * order; empty when its WAL is not in the archive.
     *
     * @throws WalArchiveException {@code CORRUPT} when a history file cannot be read or parsed
     */
    public List<RestorableRange> restorableRanges(BaseBackup base) {
        Objects.requireNonNull(base, "base");
        TreeMap<Long, TreeSet<Long>> all = segmentsByTimeline();
        List<RestorableRange> ranges = new ArrayList<>();
        if (all.isEmpty()) {
            return ranges;
        }
        long size = walSegmentBytes().orElseThrow();
        Map<Long, TimelineHistory> histories = histories();
        for (long timeline : all.keySet()) {
            range(base, timeline, all, histories, size).ifPresent(ranges::add);
        }
        return ranges;
    }

    /** The range a restore from one base backup can reach on its own timeline, if its WAL is there. */
    public Optional<RestorableRange> restorableRange(BaseBackup base) {
        Objects.requireNonNull(base, "base");
        TreeMap<Long, TreeSet<Long>> all = segmentsByTimeline();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        return range(base, base.timeline(), all, Map.of(), walSegmentBytes().orElseThrow());
    }

    private Optional<RestorableRange> range(BaseBackup base, long timeline, Map<Long, ? extends NavigableSet<Long>> all,
                                            Map<Long, TimelineHistory> histories, long size) {
        Optional<WalPath> path = WalPath.of(base, timeline, histories, size);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> end = path.get().contiguousEnd(all, size);
        if (end.isEmpty()) {
            return Optional.empty();
        }
        String last = WalFileName.segmentName(timeline, end.get(), size);
        Instant to = lastArchivedAt(last, base);
        return Optional.of(new RestorableRange(timeline, base.stoppedAt(), to.isBefore(base.stoppedAt()) ? base.stoppedAt() : to,
                base.stopLsn(), new Lsn((end.get() + 1) * size), last, List.of(base.backupId())));
    }

    /** When the last segment was archived; without a key (it is in the encrypted header) the base's end. */
    private Instant lastArchivedAt(String last, BaseBackup base) {
        return keys == null ? base.stoppedAt() : archivedAt(last).orElse(base.stoppedAt());
    }

    /** The newest moment any restore can reach, if any base backup has its WAL. */
    public Optional<Instant> newestRestorableMoment() {
        return restorableRanges().stream().map(RestorableRange::to).max(Comparator.naturalOrder());
    }

    // -------------------------------------------------------------------------------- retention

    /**
     * Retention anchored on base backups: deletes archived segments (and backup history files)
     * that end before the start of the oldest of {@code retained}, and the records of base backups
     * not retained. Never deletes WAL a retained base backup needs, nor timeline history files.
     * With no retained base backup it deletes nothing.
     *
     * @return how many objects were deleted
     */
    public int prune(Collection<BaseBackup> retained) {
        Objects.requireNonNull(retained, "retained");
        if (retained.isEmpty()) {
            log.info("WAL retention: no base backup retained, nothing pruned");
            return 0;
        }
        long size = walSegmentBytes().orElse(0);
        Lsn oldest = retained.stream().map(BaseBackup::startLsn).min(Comparator.naturalOrder()).orElseThrow();
        int deleted = 0;
        try {
            for (String key : store.list("")) {
                int slash = key.indexOf('/');
                if (key.startsWith(BASE_PREFIX)) {
                    String file = key.substring(BASE_PREFIX.length());
                    if (retained.stream().noneMatch(b -> file.equals(b.backupId() + "." + b.sourceName() + ".json"))) {
                        store.delete(key);
                        deleted++;
                    }
                    continue;
                }
                if (slash != 8 || size == 0) {
                    continue;
                }
                WalFileName wal;
                try {
                    wal = WalFileName.parse(key.substring(slash + 1));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (wal.kind() != WalFileName.Kind.HISTORY && wal.segmentNumber(size) < oldest.segmentNumber(size)) {
                    store.delete(key);
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw storeFailure("pruning the archive", e);
        }
        log.info("WAL retention: deleted {} objects before {} (the oldest retained base backup's start)", deleted, oldest);
        return deleted;
    }

    // ----------------------------------------------------------------------------- verification

    /**
     * Verifies the archive: the gap check, and with {@code decode} every object decrypted,
     * decompressed and checked against its digest.
     *
     * @return how many objects were checked
     * @throws WalArchiveException {@code GAP} naming the first gap, or {@code CORRUPT} naming the object
     */
    public int verify(boolean decode) {
        List<WalGap> gaps = gaps();
        if (!gaps.isEmpty()) {
            throw new WalArchiveException(WalArchiveException.Reason.GAP, "WAL archive " + name + " has "
                    + gaps.size() + (gaps.size() == 1 ? " gap" : " gaps") + ": " + gaps.get(0).describe()
                    + "; a restore cannot replay past it, take a new base backup");
        }
        int checked = 0;
        try {
            for (String key : store.list("")) {
                if (key.indexOf('/') != 8) {
                    continue;
                }
                if (decode) {
                    try (SegmentCodec.Decoded d = SegmentCodec.open(store.open(key), keys(), key.substring(9))) {
                        d.copyTo(OutputStream.nullOutputStream());
                    } catch (SegmentCodec.CorruptObject e) {
                        throw corrupt(key, e.getMessage());
                    }
                }
                checked++;
            }
        } catch (IOException e) {
            throw storeFailure("verifying the archive", e);
        }
        return checked;
    }

    // ---------------------------------------------------------------------------------- helpers

    static String key(WalFileName wal) {
        return wal.timelineHex() + "/" + wal.name();
    }

    private static WalFileName parseName(String fileName) {
        Objects.requireNonNull(fileName, "fileName");
        try {
            return WalFileName.parse(fileName);
        } catch (IllegalArgumentException e) {
            throw new WalArchiveException(WalArchiveException.Reason.BAD_NAME, String.valueOf(e.getMessage()));
        }
    }

    private KeyProvider keys() {
        if (keys == null) {
            throw new IllegalStateException("keyProvider is required to push or fetch WAL: the archive is encrypted");
        }
        return keys;
    }

    private WalArchiveException storeFailure(String what, IOException e) {
        return new WalArchiveException(WalArchiveException.Reason.STORE, what + " in " + store + " failed: " + oneLine(e), e);
    }

    private void event(String type, Severity severity, @Nullable String message, String file,
                       WalArchiveException.Reason reason) {
        String summary = Objects.requireNonNullElse(message, type);
        if (notifiers.isEmpty()) {
            return;
        }
        OpsEvent event = new OpsEvent("backup:" + name, type, severity, summary,
                Map.of("file", file, "reason", reason.wireName()), clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                log.warn("notifier {} failed on {}: {}", n, type, e.toString());
            }
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        } else if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
            m = e.getClass().getSimpleName() + ": " + m;
        }
        return m.replaceAll("\\R", " ").strip();
    }

    /** Keeps the encryptor's close from discarding the pending object before commit. */

    /**
     * Builds a {@link WalArchive}. Single-valued properties may be set once; {@link #notifier}
     * adds. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable BackupStore store;
        private @Nullable KeyProvider keys;
        private @Nullable Compression compression;
        private @Nullable Clock clock;
        private @Nullable String name;
        private @Nullable WalMetrics metrics;
        private final List<Notifier> notifiers = new CopyOnWriteArrayList<>();

        private Builder() {
        }

        /** The store the archive's objects go to (its keys are {@code TIMELINE/NAME}). */
        public Builder store(BackupStore value) {
            store = setOnce(store, value, "store");
            return this;
        }

        /**
         * The archive of a local repository directory: the directory {@code wal} inside it, beside
         * the backups (so a backup's clean-up never touches WAL being pushed).
         */
        public Builder repository(Path repositoryDirectory) {
            Objects.requireNonNull(repositoryDirectory, "repositoryDirectory");
            return store(LocalDirectoryStore.open(repositoryDirectory.resolve(DIRECTORY)));
        }

        /** The keys; the current one encrypts new objects. Required to push or fetch. */
        public Builder keyProvider(KeyProvider value) {
            keys = setOnce(keys, value, "keyProvider");
            return this;
        }

        /** The codec for new objects (zstd level 3 unless set). */
        public Builder compression(Compression value) {
            compression = setOnce(compression, value, "compression");
            return this;
        }

        /** Wall time for archive timestamps (UTC system clock unless set). */
        public Builder clock(Clock value) {
            clock = setOnce(clock, value, "clock");
            return this;
        }

        /** The name in metric tags and event sources ({@code "wal"} unless set). */
        public Builder name(String value) {
            Objects.requireNonNull(value, "name");
            requireUnset(name, "name");
            if (!value.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-': '" + value + "'");
            }
            name = value;
            return this;
        }

        /**
         * Records {@code opskit.backup.wal.pushed}, {@code .bytes} and {@code .failures} (by
         * reason) in {@code registry}, all registered at zero. Without one nothing is recorded.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            Objects.requireNonNull(registry, "registry");
            requireUnset(metrics, "meterRegistry");
            metrics = new DeferredMetrics(registry);
            return this;
        }

        /** Adds a notifier: it hears {@code backup.wal.push_failed}. Repeatable; all hear every event. */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /**
         * Builds the archive.
         *
         * @throws IllegalStateException when no store was given
         */
        public WalArchive build() {
            if (store == null) {
                throw new IllegalStateException("store is required: builder().repository(dir) or .store(store)");
            }
            if (metrics instanceof DeferredMetrics d) {
                metrics = WalMetrics.micrometer(d.registry, name == null ? "wal" : name);
            }
            return new WalArchive(this);
        }

        /** Holds the registry until the name is known. */
        private static final class DeferredMetrics extends WalMetrics {
            final MeterRegistry registry;

            DeferredMetrics(MeterRegistry registry) {
                this.registry = registry;
            }
        }
    }

    /** For tests and tools: the store this archive writes to. */
    BackupStore store() {
        return store;
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
