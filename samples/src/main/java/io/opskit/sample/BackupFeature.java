package io.opskit.sample;

import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RepositoryLockedException;
import io.opskit.backup.VerifyLevel;
import io.opskit.backup.retention.RetentionLimitExceededException;
import io.opskit.backup.retention.RetentionPolicy;
import io.opskit.backup.schedule.BackupRunInProgressException;
import io.opskit.backup.schedule.BackupSchedule;
import io.opskit.backup.schedule.ScheduledBackupRunner;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires scheduled backups, POST /admin/backup, GET /admin/backups and the freshness check into the
 * sample: the SQLite database and the settings file are backed up to the data directory's
 * {@code backups/}, encrypted with {@code backup.key} (created with permissions 0600 on first
 * start), on the schedule {@code backup.schedule} (default {@code 0 2 * * *} in {@code backup.zone},
 * default UTC), then retention ({@code backup.retention}, default {@code --keep-within 30d}) runs.
 * Health turns DEGRADED when the newest verified backup is older than {@code backup.rpo} (26h).
 */
final class BackupFeature implements SampleFeature {

    private static final Logger log = LoggerFactory.getLogger(BackupFeature.class);

    @Override
    public void install(SampleHost host) throws Exception {
        SampleSettings settings = host.settings();
        ZoneId zone = ZoneId.of(settings.get("backup.zone", "UTC"));
        BackupSchedule schedule = BackupSchedule.parse(settings.get("backup.schedule", "0 2 * * *"), zone);
        RetentionPolicy retention = RetentionPolicy.parse(settings.get("backup.retention", "--keep-within 30d")
                + " --zone " + zone.getId());
        Duration rpo = RetentionPolicy.parseDuration(settings.get("backup.rpo", "26h"));

        BackupRepository repository = BackupRepository.builder()
                .directory(host.backupDir())
                .keyProvider(KeyFile.loadOrCreate(host.dataDir().resolve("backup.key")))
                .source(BackupSources.sqlite("app-db", host.databaseFile()))
                .source(BackupSources.files("config", host.settings().file()))
                .verifyLevel(VerifyLevel.DECODE)
                .meterRegistry(host.registry()).name("sample")
                .notifier(host.events())
                .clock(host.clock())
                .build();

        ScheduledBackupRunner runner = ScheduledBackupRunner.builder()
                .name("sample")
                .schedule(schedule)
                .task(() -> backupAndPrune(repository, retention))
                .executor(host.scheduler())
                .clock(host.clock())
                .build();
        runner.start(repository.list().stream().map(BackupManifest::createdAt).max(Comparator.naturalOrder()));
        host.onClose(runner);

        host.adminRoute("/admin/backup", exchange -> {
            if (!SampleHost.isMethod(exchange, "POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                HttpResponses.sendError(exchange, 405, "use POST to run a backup now");
                return;
            }
            try {
                BackupManifest made = runner.runNow(() -> backupAndPrune(repository, retention));
                HttpResponses.sendJson(exchange, 201, describe(made));
            } catch (BackupRunInProgressException | RepositoryLockedException e) {
                HttpResponses.sendError(exchange, 409, e.getMessage());
            } catch (Exception e) {
                // BackupFailedException and BackupIntegrityException carry a one-line reason.
                HttpResponses.sendError(exchange, 500, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        });
        host.adminRoute("/admin/backups", exchange -> {
            List<Map<String, Object>> body = new ArrayList<>();
            for (BackupManifest m : repository.list()) {
                body.add(describe(m));
            }
            HttpResponses.sendJson(exchange, 200, Map.of("backups", body, "schedule", schedule.toString(),
                    "nextRun", runner.nextRun().map(Object::toString).orElse("")));
        });
        host.healthCheck("backup-freshness", repository.freshnessCheck(rpo), false);
        log.info("backups: {} to {}, schedule {}", host.databaseFile().getFileName(), host.backupDir(), schedule);
    }

    private static BackupManifest backupAndPrune(BackupRepository repository, RetentionPolicy retention) {
        BackupManifest made = repository.backup();
        try {
            repository.prune(retention, false);
        } catch (RetentionLimitExceededException e) {
            log.warn("retention not applied: {}", e.getMessage());
        }
        return made;
    }

    private static Map<String, Object> describe(BackupManifest m) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", m.id());
        node.put("createdAt", m.createdAt().toString());
        node.put("storedBytes", m.storedBytes());
        node.put("snapshotBytes", m.snapshotBytes());
        node.put("compression", m.compression());
        node.put("verifiedLevel", m.verified().map(v -> v.level().number()).orElse(0));
        node.put("sources", m.sources().stream().map(BackupManifest.SourceEntry::name).toList());
        return node;
    }
}
