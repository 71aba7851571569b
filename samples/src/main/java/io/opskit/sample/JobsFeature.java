package io.opskit.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.jobs.JobRun;
import io.opskit.jobs.JdbcJobLock;
import io.opskit.jobs.JobStatus;
import io.opskit.jobs.OpsJobs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules the jobs the other features contributed through ops-jobs, once across every sample
 * process that shares the lease store {@code jobs.lock.url} (a JDBC URL; default the sample's own
 * SQLite file), and serves {@code GET /admin/jobs}: each job's schedule, next run and last runs with
 * the replica that ran them. {@code jobs.replica} names this process (default host and pid). Each
 * job's health check is contributed as {@code job:NAME} (non-critical).
 */
final class JobsFeature implements SampleFeature {

    private static final Logger log = LoggerFactory.getLogger(JobsFeature.class);

    @Override
    public void install(SampleHost host) throws Exception {
        SampleSettings settings = host.settings();
        String url = settings.get("jobs.lock.url", "");
        DataSource lockStore;
        if (url.isEmpty()) {
            lockStore = host.dataSource();
        } else {
            HikariConfig config = new HikariConfig();
            config.setPoolName("sample-jobs");
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(2);
            config.setConnectionTimeout(5_000);
            if (url.startsWith("jdbc:sqlite:")) {
                config.addDataSourceProperty("busy_timeout", "5000");
            }
            HikariDataSource pool = new HikariDataSource(config);
            host.onClose(pool);
            lockStore = pool;
        }
        JdbcJobLock lock = JdbcJobLock.builder(lockStore).createSchemaOnStart(true).build();
        OpsJobs.Builder builder = OpsJobs.builder().lock(lock).clock(host.clock()).meterRegistry(host.registry())
                .notifier(host.events());
        String replica = settings.get("jobs.replica", "");
        if (!replica.isEmpty()) {
            builder.replica(replica);
        }
        for (SampleHost.ScheduledJob job : host.scheduledJobs()) {
            builder.job(job.task(), job.schedule(), job.options());
        }
        OpsJobs jobs = builder.build();
        host.jobs(jobs);
        host.onClose(jobs);
        jobs.healthChecks().forEach((name, check) -> host.healthCheck("job:" + name, check, false));

        host.adminRoute("/admin/jobs", exchange -> {
            List<Map<String, Object>> body = new ArrayList<>();
            for (JobStatus s : jobs.jobs()) {
                Map<String, Object> node = new LinkedHashMap<>();
                node.put("name", s.name());
                node.put("schedule", s.schedule());
                node.put("nextRun", s.nextRun().map(Object::toString).orElse(""));
                node.put("runningHere", s.runningHere());
                node.put("consecutiveFailures", s.consecutiveFailures());
                node.put("lastSuccess", s.lastSuccess().map(r -> r.startedAt().toString()).orElse(""));
                List<Map<String, Object>> runs = new ArrayList<>();
                for (JobRun r : s.lastRuns().subList(0, Math.min(10, s.lastRuns().size()))) {
                    Map<String, Object> run = new LinkedHashMap<>();
                    run.put("runId", r.runId());
                    run.put("replica", r.replica());
                    run.put("dueAt", r.dueAt().toString());
                    run.put("startedAt", r.startedAt().toString());
                    run.put("endedAt", r.endedAt().map(Object::toString).orElse(""));
                    run.put("outcome", r.outcome().wireName());
                    run.put("summary", r.summary());
                    runs.add(run);
                }
                node.put("lastRuns", runs);
                body.add(node);
            }
            HttpResponses.sendJson(exchange, 200, Map.of("replica", jobs.replica(), "lock", lock.describe(),
                    "jobs", body));
        });
        log.info("jobs: {} on replica {} with {}", jobs.jobNames(), jobs.replica(), lock.describe());
    }
}
