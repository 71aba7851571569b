package io.opskit.jobs;

import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.testsupport.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * One replica of {@link ReplicasTest}, in its own JVM: schedules a job due every second through a
 * {@link JdbcJobLock} on the shared database. Each run inserts a row (due time, replica, start) into
 * {@code ticks} and then stamps its end; while the marker file exists, a run hangs until the JVM is
 * killed. Prints READY once scheduling; closes the scheduler and exits when stdin closes.
 *
 * <p>Arguments: JDBC URL, replica name, marker file, lease time in milliseconds.
 */
public final class ReplicaChild {

    private ReplicaChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String replica = args[1];
        Path marker = Path.of(args[2]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        DataSource ds = TestDatabase.concurrentDataSource(url);
        JdbcJobLock lock = JdbcJobLock.builder(ds).build();
        OpsTask tick = new OpsTask() {
            @Override
            public String name() {
                return "tick";
            }

            @Override
            public TaskOutcome run(io.opskit.api.task.TaskContext context) throws Exception {
            long due = context.dueAt().orElseThrow().toEpochMilli();
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "INSERT INTO ticks (due_ms, replica, run_id, started_ms) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, due);
                ps.setString(2, replica);
                ps.setString(3, context.runId());
                ps.setLong(4, System.currentTimeMillis());
                ps.executeUpdate();
            }
            if (Files.exists(marker)) {
                while (true) {
                    Thread.sleep(1_000); // hangs until the test kills this JVM
                }
            }
            try (Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("UPDATE ticks SET ended_ms = ? WHERE run_id = ?")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setString(2, context.runId());
                ps.executeUpdate();
            }
            return TaskOutcome.done("tick " + due);
            }
        };
        try (OpsJobs jobs = OpsJobs.builder().replica(replica).lock(lock).leaseTime(lease)
                .job(tick, Schedule.every(Duration.ofSeconds(1)), JobOptions.defaults().withDeadline(Duration.ofMinutes(5)))
                .build()) {
            System.out.println("READY " + jobs.replica());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // wait for stdin to close
            }
        }
        System.exit(0);
    }
}
