package io.opskit.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.notify.Notifier;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** The README's ops-jobs snippet, compiled and run as printed. */
class ReadmeExampleTest {

    @TempDir
    Path dir;

    @Test
    void readmeSnippet_compilesAndSchedulesBothJobs() throws Exception {
        SQLiteDataSource shared = new SQLiteDataSource();
        shared.setUrl("jdbc:sqlite:" + dir.resolve("leases.db"));
        Runnable cleanup = () -> { };
        OpsTask healthMonitor = OpsTask.of("health-monitor", context -> TaskOutcome.done("ok"));
        Notifier notifier = event -> { };
        Object built = ReadmeSnippets.forProject().section("## ops-jobs")
                .compile("jobs", Param.of("javax.sql.DataSource", "sharedDataSource"),
                        Param.of(Runnable.class, "cleanup"), Param.of(OpsTask.class, "healthMonitor"),
                        Param.of(Notifier.class, "notifier"))
                .run(shared, cleanup, healthMonitor, notifier);
        try (OpsJobs jobs = (OpsJobs) built) {
            assertThat(jobs.jobNames()).containsExactlyInAnyOrder("privacy-cleanup", "health-monitor");
            assertThat(jobs.replica()).isEqualTo("api-1");
            assertThat(jobs.healthChecks()).containsKeys("privacy-cleanup", "health-monitor");
        }
    }
}
