package io.pgvault.operations.schedule;

import io.pgvault.api.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs {@link Job}s on their cron schedules inside the host service.
 *
 * <p>The scheduler keeps no timers per job: each <em>tick</em> compares every job's next fire time, computed from
 * the injected {@link Clock} and the job's last handled fire, with the clock's now. In production {@link #start()}
 * ticks every {@code tickInterval} on a daemon thread and hands due jobs to a worker pool; tests (or hosts with
 * their own timer) call {@link #runDue()}, which runs due jobs on the calling thread, and move the clock themselves.
 *
 * <p>Per fire: the misfire policy decides about late fires; the {@link SingleRunnerGuard} decides whether this
 * replica runs (lock, role); the {@link JobStore} is read again under the lease, so a fire another replica already
 * ran is not run twice; the fire is claimed in the store (since 0.3.0), so it runs at most once even if the lease is
 * lost and another replica takes the lock; the task runs while the lease is {@link SingleRunnerGuard.Lease#watch
 * watched}, and a lost lease cancels it ({@link Cancellation}, outcome {@link JobOutcome#LEASE_LOST}); the fire is
 * recorded. A job never overlaps itself within one scheduler.
 *
 * <pre>{@code
 * Scheduler scheduler = Scheduler.builder()
 *         .guard(PostgresAdvisoryGuard.of(ConnectionSource.of(conn)))
 *         .store(JobStore.postgres(ConnectionSource.of(conn)))
 *         .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> vault.backup()).runOn(RunOn.LEADER_ONLY).build())
 *         .build();
 * scheduler.start();
 * // at shutdown:
 * scheduler.shutdown(Duration.ofMinutes(5));
 * }</pre>
 *
 * @since 0.2.0
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final Clock clock;
    private final JobStore store;
    private final SingleRunnerGuard guard;
    private final Map<String, JobState> jobs;
    private final Duration tickInterval;
    private final Duration interruptGrace;
    private final int workerCount;
    private final Consumer<JobResult> onResult;
    private final Instant createdAt;
    private final ActiveRuns active = new ActiveRuns();
    private final TaskRun tasks;
    /** Who claims fires in the job store: this scheduler in this process (no host name: no DNS lookup). */
    private final String claimant = "scheduler " + UUID.randomUUID().toString().substring(0, 8)
            + " in process " + ProcessHandle.current().pid();
    private volatile boolean accepting = true;
    private ScheduledExecutorService ticker;
    private ExecutorService workers;

    private Scheduler(Builder b) {
        this.clock = b.clock;
        this.store = b.store;
        this.guard = b.guard;
        this.tickInterval = b.tickInterval;
        this.interruptGrace = b.interruptGrace;
        this.workerCount = b.workers;
        this.onResult = b.onResult;
        this.createdAt = clock.instant();
        this.tasks = new TaskRun(clock, active);
        Map<String, JobState> map = new LinkedHashMap<>();
        b.jobs.forEach(j -> map.put(j.name(), new JobState(j, b.historySize)));
        this.jobs = map;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Handles every job that is due at the clock's now, on the calling thread, one after another.
     *
     * @return the results of the fires handled, in job order (empty when nothing was due)
     * @throws IllegalStateException after {@link #shutdown(Duration)}
     */
    public List<JobResult> runDue() {
        requireAccepting();
        Instant now = clock.instant();
        List<JobResult> results = new ArrayList<>();
        for (JobState s : jobs.values()) {
            dueFire(s, now).ifPresent(fire -> {
                if (!s.tryClaim(fire)) {
                    results.add(finish(s, overlap(s, fire)));
                    return;
                }
                try {
                    results.add(runClaimed(s, fire));
                } finally {
                    s.release();
                }
            });
        }
        return results;
    }

    /**
     * Starts ticking on a daemon thread; due jobs run on a pool of {@code workers} threads.
     *
     * @throws IllegalStateException when already started or shut down
     */
    public synchronized void start() {
        requireAccepting();
        if (ticker != null) {
            throw new IllegalStateException("scheduler already started");
        }
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(workerCount, r -> daemon(r, "pgvault-job-" + n.incrementAndGet()));
        ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pgvault-scheduler"));
        ticker.scheduleWithFixedDelay(this::tick, 0, tickInterval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("scheduler started: {} job(s), guard {}, store {}", jobs.size(), guard, store);
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            for (JobState s : jobs.values()) {
                if (!accepting) {
                    return;
                }
                dueFire(s, now).ifPresent(fire -> dispatch(s, fire));
            }
        } catch (RuntimeException e) {
            LOG.error("scheduler tick failed; retrying at the next tick", e);
        }
    }

    private void dispatch(JobState s, Fire fire) {
        if (!s.tryClaim(fire)) {
            finish(s, overlap(s, fire));
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    runClaimed(s, fire);
                } finally {
                    s.release();
                }
            });
        } catch (RejectedExecutionException e) {
            s.release();
        }
    }

    /**
     * Stops accepting fires, waits up to {@code grace} for running jobs, then interrupts them and waits up to the
     * interrupt grace (default 10 s) more. Idempotent.
     *
     * @param grace how long running jobs may take to finish on their own
     * @return whether every job had finished when it returned
     */
    public boolean shutdown(Duration grace) {
        accepting = false;
        synchronized (this) {
            if (ticker != null) {
                ticker.shutdownNow();
            }
            if (workers != null) {
                workers.shutdown();
            }
        }
        boolean done = active.awaitIdle(grace);
        if (!done) {
            LOG.warn("scheduler shutdown: {} job(s) still running after {}; interrupting them", active.count(), grace);
            active.interruptAll();
            done = active.awaitIdle(interruptGrace);
        }
        synchronized (this) {
            if (workers != null) {
                workers.shutdownNow();
            }
        }
        LOG.info("scheduler stopped{}", done ? "" : " with job(s) still running");
        return done;
    }

    /** Shuts down with a grace period of one minute. */
    @Override
    public void close() {
        shutdown(Duration.ofMinutes(1));
    }

    /**
     * @param job a job's name
     * @return its latest result in this scheduler, if it was handled since the scheduler was built
     */
    public Optional<JobResult> lastResult(String job) {
        return state(job).lastResult();
    }

    /**
     * @param job a job's name
     * @return its results in this scheduler, oldest first (at most the builder's history size)
     */
    public List<JobResult> history(String job) {
        return state(job).history();
    }

    /**
     * @param job a job's name
     * @return its next fire time after the last one handled (or after the scheduler was built)
     */
    public Optional<Instant> nextFire(String job) {
        JobState s = state(job);
        Instant last = s.lastFire();
        return s.job.schedule().nextAfter(last == null ? createdAt : last);
    }

    /** @return the jobs, in the order they were added */
    public List<Job> jobs() {
        return jobs.values().stream().map(s -> s.job).toList();
    }

    private JobState state(String job) {
        JobState s = jobs.get(job);
        if (s == null) {
            throw new IllegalArgumentException("no job named " + job + "; jobs: " + jobs.keySet());
        }
        return s;
    }

    private Optional<Fire> dueFire(JobState s, Instant now) {
        Job job = s.job;
        Instant last = s.lastFire();
        if (last == null) {
            last = load(job).orElse(createdAt);
            s.advance(last);
        }
        Optional<Instant> next = job.schedule().nextAfter(last);
        if (next.isEmpty() || next.get().isAfter(now)) {
            return Optional.empty();
        }
        // due by what this process knows: look whether another replica handled it meanwhile
        Optional<Instant> stored = load(job);
        if (stored.isPresent() && stored.get().isAfter(last)) {
            s.advance(stored.get());
            next = job.schedule().nextAfter(stored.get());
            if (next.isEmpty() || next.get().isAfter(now)) {
                return Optional.empty();
            }
        }
        Instant latest = job.schedule().latestAtOrBefore(now).orElse(next.get());
        boolean late = Duration.between(latest, now).compareTo(job.misfireThreshold()) > 0;
        boolean coalesced = latest.isAfter(next.get());
        if (coalesced) {
            LOG.info("job {}: fires from {} to {} were missed; handling only {}", job.name(), next.get(), latest,
                    latest);
        }
        return Optional.of(new Fire(latest, late, late || coalesced));
    }

    private Optional<Instant> load(Job job) {
        try {
            return store.lastFire(job.name());
        } catch (RuntimeException e) {
            LOG.warn("job {}: could not read {}: {}", job.name(), store, e.getMessage());
            return Optional.empty();
        }
    }

    private JobResult runClaimed(JobState s, Fire fire) {
        Job job = s.job;
        Instant start = clock.instant();
        if (fire.late() && job.misfire() == MisfirePolicy.SKIP) {
            JobResult missed = result(job, fire, start, JobOutcome.MISSED, "fire at " + fire.at() + " missed by "
                    + Duration.between(fire.at(), start) + "; misfire policy SKIP waits for the next one", null);
            recordQuietly(missed);
            return finish(s, missed);
        }
        SingleRunnerGuard.Lease lease;
        try {
            lease = guard.acquire(job);
        } catch (RuntimeException e) {
            return finish(s, result(job, fire, start, JobOutcome.FAILED, "guard unavailable, fire not run: "
                    + e.getMessage(), e));
        }
        try (lease) {
            switch (lease.status()) {
                case HELD_ELSEWHERE:
                    return finish(s, result(job, fire, start, JobOutcome.SKIPPED_RUNNING_ELSEWHERE, lease.detail(),
                            null));
                case WRONG_ROLE:
                    return finish(s, result(job, fire, start, JobOutcome.SKIPPED_WRONG_ROLE, lease.detail(), null));
                default:
                    break;
            }
            Optional<Instant> stored;
            try {
                stored = store.lastFire(job.name());
            } catch (RuntimeException e) {
                return finish(s, result(job, fire, start, JobOutcome.FAILED, "job store unreadable, fire not run: "
                        + e.getMessage(), e));
            }
            if (stored.isPresent() && !stored.get().isBefore(fire.at())) {
                return finish(s, result(job, fire, start, JobOutcome.SKIPPED_ALREADY_RAN, "fire at " + fire.at()
                        + " was already handled (job store records " + stored.get() + ")", null));
            }
            try {
                if (!store.claim(job.name(), fire.at(), claimant)) {
                    return finish(s, result(job, fire, start, JobOutcome.SKIPPED_ALREADY_RAN, "fire at " + fire.at()
                            + " was claimed by an earlier run (job store); a fire runs at most once", null));
                }
            } catch (RuntimeException e) {
                return finish(s, result(job, fire, start, JobOutcome.FAILED, "job store could not claim the fire, "
                        + "fire not run: " + e.getMessage(), e));
            }
            JobResult ran = tasks.run(job, fire, start, lease);
            recordQuietly(ran);
            return finish(s, ran);
        }
    }

    private JobResult overlap(JobState s, Fire fire) {
        Instant now = clock.instant();
        return result(s.job, fire, now, JobOutcome.SKIPPED_OVERLAP, "the previous run of " + s.job.name()
                + " is still running; fire at " + fire.at() + " skipped", null);
    }

    private JobResult result(Job job, Fire fire, Instant start, JobOutcome outcome, String message, Throwable error) {
        return new JobResult(job.name(), fire.at(), start, clock.instant(), outcome, fire.misfire(), message,
                Optional.ofNullable(error));
    }

    private void recordQuietly(JobResult result) {
        try {
            store.record(result);
        } catch (RuntimeException e) {
            LOG.error("job {}: could not record its fire at {} in {}; a restart may run it again: {}", result.job(),
                    result.scheduledFor(), store, e.getMessage());
        }
    }

    private JobResult finish(JobState s, JobResult result) {
        s.handled(result);
        if (!result.outcome().ran()) {
            LOG.info("job {}: {} — {}", result.job(), result.outcome(), result.message());
        }
        if (onResult != null) {
            try {
                onResult.accept(result);
            } catch (RuntimeException e) {
                LOG.warn("result listener failed on job {}: {}", result.job(), e.toString());
            }
        }
        return result;
    }

    private void requireAccepting() {
        if (!accepting) {
            throw new IllegalStateException("scheduler is shut down");
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String toString() {
        return "Scheduler[" + jobs.keySet() + ", guard " + guard + ", store " + store + "]";
    }

    /** One fire to handle: the fire time, whether it is past the misfire threshold, whether it is late at all. */
    record Fire(Instant at, boolean late, boolean misfire) {
    }

    /** Builds a {@link Scheduler}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private JobStore store = JobStore.inMemory();
        private SingleRunnerGuard guard = SingleRunnerGuard.local();
        private final List<Job> jobs = new ArrayList<>();
        private Duration tickInterval = Duration.ofSeconds(1);
        private Duration interruptGrace = Duration.ofSeconds(10);
        private int workers = 2;
        private int historySize = 20;
        private Consumer<JobResult> onResult;

        private Builder() {
        }

        /** @param clock time source; default the UTC system clock @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @param store where handled fires are remembered; default {@link JobStore#inMemory()} @return this */
        public Builder store(JobStore store) {
            this.store = store;
            return this;
        }

        /** @param guard who may run a job; default {@link SingleRunnerGuard#local()} @return this */
        public Builder guard(SingleRunnerGuard guard) {
            this.guard = guard;
            return this;
        }

        /** @param job a job (repeatable; names must be unique) @return this */
        public Builder job(Job job) {
            jobs.add(job);
            return this;
        }

        /** @param interval how often {@link #start()} checks for due jobs; default 1 s @return this */
        public Builder tickInterval(Duration interval) {
            this.tickInterval = interval;
            return this;
        }

        /** @param workers threads running jobs after {@link #start()}; default 2 @return this */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** @param size results kept per job for {@link #history(String)}; default 20 @return this */
        public Builder historySize(int size) {
            this.historySize = size;
            return this;
        }

        /**
         * @param grace how long interrupted jobs get to stop at shutdown; default 10 s
         * @return this
         */
        public Builder interruptGrace(Duration grace) {
            this.interruptGrace = grace;
            return this;
        }

        /**
         * @param listener told every result (on the thread that handled the fire; exceptions are logged); default
         *                 none
         * @return this
         */
        public Builder onResult(Consumer<JobResult> listener) {
            this.onResult = listener;
            return this;
        }

        /** @return the scheduler, not yet started */
        public Scheduler build() {
            List<String> problems = new ArrayList<>();
            if (clock == null) {
                problems.add("clock must not be null");
            }
            if (store == null) {
                problems.add("store must not be null");
            }
            if (guard == null) {
                problems.add("guard must not be null");
            }
            if (jobs.contains(null)) {
                problems.add("jobs must not be null");
            }
            List<String> names = jobs.stream().filter(java.util.Objects::nonNull).map(Job::name).toList();
            names.stream().filter(n -> names.indexOf(n) != names.lastIndexOf(n)).distinct()
                    .forEach(n -> problems.add("job name " + n + " is used more than once"));
            if (tickInterval == null || tickInterval.toMillis() < 1) {
                problems.add("tickInterval must be at least 1 ms, was " + tickInterval);
            }
            if (interruptGrace == null || interruptGrace.isNegative()) {
                problems.add("interruptGrace must be zero or positive, was " + interruptGrace);
            }
            if (workers < 1) {
                problems.add("workers must be at least 1, was " + workers);
            }
            if (historySize < 1) {
                problems.add("historySize must be at least 1, was " + historySize);
            }
            ConfigurationException.throwIfAny(problems);
            return new Scheduler(this);
        }
    }
}
