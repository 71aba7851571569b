package io.opskit.db;

import io.opskit.api.task.TaskContext;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import io.opskit.testsupport.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Period;

/** Runs one retention task in a child JVM, so that a test can kill it with SIGKILL mid-run. */
public final class RetentionChild {

    private RetentionChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        RetentionTask task = RetentionTask.builder(TestDatabase.dataSource(url),
                        RetentionRule.table("deliveries").olderThan("created_at", Period.ofDays(90))
                                .archiveTo("deliveries_archive"))
                .batchSize(Integer.parseInt(args[1])).pause(Duration.ofMillis(Long.parseLong(args[2]))).force().build();
        System.out.println("started");
        System.out.println(task.run(TaskContext.standalone(task.name(), Duration.ofMinutes(10), Clock.systemUTC())).summary());
    }
}
