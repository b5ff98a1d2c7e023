package io.pgvault.operations.schedule;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** What one scheduler knows about one job: its last handled fire, whether it runs, its recent results. */
final class JobState {
    final Job job;
    private final int historySize;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Deque<JobResult> history = new ArrayDeque<>();
    private Instant lastFire;

    JobState(Job job, int historySize) {
        this.job = job;
        this.historySize = historySize;
    }

    synchronized Instant lastFire() {
        return lastFire;
    }

    /** Moves the last handled fire forward, never back. */
    synchronized void advance(Instant fire) {
        if (lastFire == null || fire.isAfter(lastFire)) {
            lastFire = fire;
        }
    }

    /**
     * Claims the job for one fire: false when it already runs. Either way the fire counts as handled by this
     * process, so the next tick does not see it again.
     */
    boolean tryClaim(Scheduler.Fire fire) {
        advance(fire.at());
        return running.compareAndSet(false, true);
    }

    void release() {
        running.set(false);
    }

    synchronized void handled(JobResult result) {
        advance(result.scheduledFor());
        history.addLast(result);
        while (history.size() > historySize) {
            history.removeFirst();
        }
    }

    synchronized Optional<JobResult> lastResult() {
        return Optional.ofNullable(history.peekLast());
    }

    synchronized List<JobResult> history() {
        return List.copyOf(history);
    }
}
