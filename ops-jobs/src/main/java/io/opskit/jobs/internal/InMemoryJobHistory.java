package io.opskit.jobs.internal;

import io.opskit.api.internal.Checks;
import io.opskit.api.jobs.JobHistory;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.RunOutcome;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The last N runs per job in this process's memory, newest first. Thread-safe. */
public final class InMemoryJobHistory implements JobHistory {

    private final int limit;
    private final Map<String, Deque<JobRun>> runs = new HashMap<>();

    public InMemoryJobHistory(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void record(JobRun run) {
        Objects.requireNonNull(run, "run");
        Deque<JobRun> deque = runs.computeIfAbsent(run.job(), k -> new ArrayDeque<>());
        for (Iterator<JobRun> it = deque.iterator(); it.hasNext(); ) {
            if (it.next().runId().equals(run.runId())) {
                it.remove();
                break;
            }
        }
        // Newest first by start time; runs are recorded in start order, so this is nearly always addFirst.
        List<JobRun> sorted = new ArrayList<>(deque);
        int i = 0;
        while (i < sorted.size() && sorted.get(i).startedAt().isAfter(run.startedAt())) {
            i++;
        }
        sorted.add(i, run);
        deque.clear();
        deque.addAll(sorted);
        while (deque.size() > limit) {
            deque.removeLast();
        }
    }

    @Override
    public synchronized List<JobRun> recent(String job, int max) {
        Objects.requireNonNull(job, "job");
        Checks.requirePositive(max, "limit");
        Deque<JobRun> deque = runs.get(job);
        if (deque == null) {
            return List.of();
        }
        return deque.stream().limit(max).toList();
    }

    @Override
    public synchronized List<JobRun> abandonOthers(String job, String currentRunId, Instant at) {
        List<JobRun> marked = new ArrayList<>();
        for (JobRun r : recent(job, limit)) {
            if (r.outcome() == RunOutcome.RUNNING && !r.runId().equals(currentRunId)) {
                JobRun a = r.ended(at, RunOutcome.ABANDONED, "abandoned: the run never finished");
                record(a);
                marked.add(a);
            }
        }
        return List.copyOf(marked);
    }
}
