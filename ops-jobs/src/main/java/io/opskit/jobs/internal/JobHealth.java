package io.opskit.jobs.internal;

import io.opskit.api.Redactor;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.internal.DurationText;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.RunOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The health of one job, from the history every replica shares (or this process's): DOWN when the
 * last success is older than the staleness limit, DEGRADED after N failures in a row or when a due
 * run has not started in time, UP otherwise.
 */
public final class JobHealth implements HealthCheck {

    private final JobRunner runner;
    private final JobRuntime rt;

    public JobHealth(JobRunner runner, JobRuntime runtime) {
        this.runner = runner;
        this.rt = runtime;
    }

    /** The runs that happened (local skip records left out), newest first. */
    static List<JobRun> realRuns(List<JobRun> runs) {
        return runs.stream().filter(r -> !r.runId().startsWith("skip-")).toList();
    }

    /** Failed (or abandoned) runs in a row at the head, a run in progress left out. */
    public static int consecutiveFailures(List<JobRun> runs) {
        int n = 0;
        for (JobRun r : realRuns(runs)) {
            if (r.outcome() == RunOutcome.RUNNING) {
                continue;
            }
            if (r.outcome() == RunOutcome.FAILURE || r.outcome() == RunOutcome.ABANDONED) {
                n++;
            } else {
                break;
            }
        }
        return n;
    }

    public static Optional<JobRun> lastSuccess(List<JobRun> runs) {
        return runs.stream().filter(r -> r.outcome() == RunOutcome.SUCCESS).findFirst();
    }

    @Override
    public HealthResult check() {
        Instant now = rt.clock().instant();
        List<JobRun> runs;
        try {
            runs = realRuns(rt.readHistory().recent(runner.name(), rt.historySize()));
        } catch (RuntimeException e) {
            return HealthResult.builder(HealthStatus.DEGRADED)
                    .message("job history unreachable: " + Redactor.redact(String.valueOf(e.getMessage()))).build();
        }
        Optional<JobRun> success = lastSuccess(runs);
        int failures = consecutiveFailures(runs);
        HealthResult.Builder b = HealthResult.builder(HealthStatus.UP);
        b.detail("schedule", runner.schedule().toString());
        runner.nextDue().ifPresent(n -> b.detail("nextRun", n.toString()));
        success.ifPresent(s -> b.detail("lastSuccess", s.startedAt().toString()).detail("lastSuccessReplica", s.replica()));
        if (!runs.isEmpty()) {
            b.detail("lastOutcome", runs.get(0).outcome().wireName());
        }
        b.detail("consecutiveFailures", failures);

        Optional<Duration> staleAfter = runner.options().staleAfter();
        if (staleAfter.isPresent()) {
            Instant reference = success.map(JobRun::startedAt).orElse(runner.startedSchedulingAt());
            if (Duration.between(reference, now).compareTo(staleAfter.get()) > 0) {
                return b.status(HealthStatus.DOWN).message(success.isPresent()
                        ? "last success " + success.get().startedAt() + " is older than " + DurationText.format(staleAfter.get())
                        : "no successful run within " + DurationText.format(staleAfter.get())).build();
            }
        }
        if (failures >= runner.options().failuresBeforeDegraded()) {
            return b.status(HealthStatus.DEGRADED).message(failures + " failed runs in a row"
                    + (runs.isEmpty() ? "" : ": " + runs.get(0).summary())).build();
        }
        if (runner.options().window().isEmpty()) {
            Instant due = runner.schedule().latestAtOrBefore(now.minus(runner.options().missedAfter()));
            boolean relevant = !due.equals(Instant.MIN) && (!runs.isEmpty() || !due.isBefore(runner.startedSchedulingAt()));
            boolean ran = runs.stream().anyMatch(r -> !r.dueAt().isBefore(due));
            if (relevant && !ran) {
                return b.status(HealthStatus.DEGRADED).detail("missedRun", due.toString())
                        .message("the run due at " + due + " has not started").build();
            }
        }
        return b.message(success.map(s -> "last success " + s.startedAt() + " on " + s.replica()).orElse("no run yet"))
                .build();
    }
}
