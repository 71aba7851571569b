package io.opskit.sample;

import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.KeyFile;
import io.opskit.backup.VerifyLevel;
import io.opskit.backup.retention.RetentionPolicy;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.task.OpsTask;
import io.opskit.backup.tasks.BackupTasks;
import io.opskit.jobs.JobOptions;
import io.opskit.jobs.JobStatus;
import io.opskit.jobs.MissedRunPolicy;
import io.opskit.jobs.Schedule;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
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
 * sample: the SQLite database and the settings file are backed up to {@code backup.dir} (default
 * the data directory's {@code backups/}), encrypted with {@code backup.key} (created with
 * permissions 0600 on first start). The backup ({@code backup.schedule}, default {@code 0 2 * * *}
 * in {@code backup.zone}, default UTC; once at start when a run was missed), the restore drill
 * ({@code backup.drill.schedule}, default Sundays 04:00) and retention ({@code backup.prune.schedule},
 * default 02:30; {@code backup.retention}, default {@code --keep-within 30d}) are jobs that the
 * {@link JobsFeature} schedules once across replicas.
 * Health turns DEGRADED when the newest verified backup is older than {@code backup.rpo} (26h).
 */
final class BackupFeature implements SampleFeature {

    private static final Logger log = LoggerFactory.getLogger(BackupFeature.class);
    /** The default recovery point objective ({@code backup.rpo}). */
    static final String DEFAULT_RPO = "26h";

    @Override
    public void install(SampleHost host) throws Exception {
        SampleSettings settings = host.settings();
        ZoneId zone = ZoneId.of(settings.get("backup.zone", "UTC"));
        Schedule schedule = Schedule.parse(settings.get("backup.schedule", "0 2 * * *"), zone);
        RetentionPolicy retention = RetentionPolicy.parse(settings.get("backup.retention", "--keep-within 30d")
                + " --zone " + zone.getId());
        Duration rpo = RetentionPolicy.parseDuration(settings.get("backup.rpo", DEFAULT_RPO));

        Files.createDirectories(host.backupDir());
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

        BackupTasks tasks = BackupTasks.of("sample", repository);
        OpsTask backup = tasks.backup();
        host.scheduleJob(backup, schedule, JobOptions.defaults().missedRunPolicy(MissedRunPolicy.RUN_ONCE)
                .withDeadline(Duration.ofHours(1)).staleAfter(rpo));
        host.scheduleJob(tasks.restoreDrill(), Schedule.parse(settings.get("backup.drill.schedule", "0 4 * * SUN"), zone),
                JobOptions.defaults().withDeadline(Duration.ofHours(1)));
        host.scheduleJob(tasks.prune(retention), Schedule.parse(settings.get("backup.prune.schedule", "30 2 * * *"), zone),
                JobOptions.defaults().withDeadline(Duration.ofMinutes(30)));

        host.adminRoute("/admin/backup", exchange -> {
            if (!SampleHost.isMethod(exchange, "POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                HttpResponses.sendError(exchange, 405, "use POST to run a backup now");
                return;
            }
            try {
                JobRun run = host.jobs().runNow(backup.name()).get(1, TimeUnit.HOURS);
                if (run.outcome() == RunOutcome.SKIPPED) {
                    HttpResponses.sendError(exchange, 409, run.summary());
                } else if (run.outcome() != RunOutcome.SUCCESS) {
                    HttpResponses.sendError(exchange, run.summary().contains("locked") ? 409 : 500, run.summary());
                } else {
                    BackupManifest made = repository.list().stream().max(Comparator.comparing(BackupManifest::createdAt))
                            .orElseThrow();
                    HttpResponses.sendJson(exchange, 201, describe(made));
                }
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
                    "nextRun", host.jobs().job(backup.name()).flatMap(JobStatus::nextRun).map(Object::toString)
                            .orElse("")));
        });
        host.healthCheck("backup-freshness", repository.freshnessCheck(rpo), false);
        log.info("backups: {} to {}, schedule {}", host.databaseFile().getFileName(), host.backupDir(), schedule);
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
