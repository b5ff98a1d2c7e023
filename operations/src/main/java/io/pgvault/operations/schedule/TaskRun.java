package io.pgvault.operations.schedule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Runs one claimed fire's task under a granted lease, for {@link Scheduler}: registers the running thread for
 * shutdown, watches the lease, and turns a lost lease into a cancellation and a {@link JobOutcome#LEASE_LOST} result.
 */
final class TaskRun {
    /** The scheduler's logger: these lines were always the scheduler's. */
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final Clock clock;
    private final ActiveRuns active;

    TaskRun(Clock clock, ActiveRuns active) {
        this.clock = clock;
        this.active = active;
    }

    /**
     * Runs the task while the lease is watched: a lost lease cancels the run (interrupting this thread), and the
     * result is then {@link JobOutcome#LEASE_LOST} whether the task stopped or returned anyway.
     */
    JobResult run(Job job, Scheduler.Fire fire, Instant start, SingleRunnerGuard.Lease lease) {
        Cancellation cancellation = new Cancellation();
        active.enter();
        cancellation.attach(Thread.currentThread());
        LOG.info("job {} started for {}{}", job.name(), fire.at(), fire.misfire() ? " (late)" : "");
        try {
            lease.watch(reason -> {
                if (cancellation.cancel("lease lost: " + reason)) {
                    LOG.warn("job {}: cancelling the run for {}: the lease is lost", job.name(), fire.at());
                }
            });
            job.task().run(new JobContext(job.name(), fire.at(), start, fire.misfire(), cancellation));
            if (cancellation.isCancelled()) {
                return leaseLost(job, fire, start, cancellation, null);
            }
            JobResult ok = result(job, fire, start, JobOutcome.SUCCEEDED, "ran for " + fire.at(), null);
            LOG.info("job {} succeeded in {}", job.name(), ok.duration());
            return ok;
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError vm) {
                throw vm; // out of memory or stack: nothing sensible to record
            }
            if (cancellation.isCancelled()) {
                return leaseLost(job, fire, start, cancellation, e);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("job {} failed for {}: {}", job.name(), fire.at(), e.toString(), e);
            return result(job, fire, start, JobOutcome.FAILED, "failed: " + e, e);
        } finally {
            cancellation.detach();
            active.exit();
        }
    }

    private JobResult leaseLost(Job job, Scheduler.Fire fire, Instant start, Cancellation cancellation,
            Throwable error) {
        String how = error == null ? "the task returned anyway, so its work may have overlapped another replica's"
                : "the task stopped: " + error;
        LOG.warn("job {} for {}: {}; {}", job.name(), fire.at(), cancellation.reason().orElse("cancelled"), how);
        return result(job, fire, start, JobOutcome.LEASE_LOST, cancellation.reason().orElse("cancelled") + "; "
                + how + "; the fire stays claimed and is not run again", error);
    }

    private JobResult result(Job job, Scheduler.Fire fire, Instant start, JobOutcome outcome, String message,
            Throwable error) {
        return new JobResult(job.name(), fire.at(), start, clock.instant(), outcome, fire.misfire(), message,
                Optional.ofNullable(error));
    }
}
