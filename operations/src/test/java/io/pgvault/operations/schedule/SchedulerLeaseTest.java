package io.pgvault.operations.schedule;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.testkit.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Lost leases and claimed fires, with a guard whose lease the test loses on demand. */
class SchedulerLeaseTest {
    private static final Instant FIRE = Instant.parse("2026-03-01T02:00:00Z");

    /** A guard that always grants; {@link #lose(String)} reports the watched lease lost, as a heartbeat would. */
    private static final class LosableGuard implements SingleRunnerGuard {
        private final AtomicReference<Consumer<String>> watcher = new AtomicReference<>();

        @Override
        public Lease acquire(Job job) {
            return new Lease() {
                @Override
                public Status status() {
                    return Status.ACQUIRED;
                }

                @Override
                public String detail() {
                    return "test lease";
                }

                @Override
                public void watch(Consumer<String> onLost) {
                    watcher.set(onLost);
                }

                @Override
                public void close() {
                }
            };
        }

        void lose(String reason) {
            watcher.get().accept(reason);
        }
    }

    /** The results of a {@link Scheduler#runDue()} on another thread, and whether that thread was left interrupted. */
    private record Run(List<JobResult> results, boolean leftInterrupted) {
    }

    private static CompletableFuture<Run> runDueAsync(Scheduler s) {
        return CompletableFuture.supplyAsync(() -> new Run(s.runDue(), Thread.currentThread().isInterrupted()));
    }

    @Test
    @DisplayName("a lost lease interrupts the running task; the fire is recorded as LEASE_LOST with the reason, and "
            + "the thread is not left interrupted")
    void lostLeaseCancels() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        LosableGuard guard = new LosableGuard();
        JobStore store = JobStore.inMemory();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Cancellation> seen = new AtomicReference<>();
        Scheduler s = Scheduler.builder().clock(clock).guard(guard).store(store)
                .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> {
                    seen.set(ctx.cancellation());
                    started.countDown();
                    new CountDownLatch(1).await();
                }).build()).build();
        clock.set(FIRE);
        CompletableFuture<Run> run = runDueAsync(s);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.get().isCancelled()).isFalse();

        guard.lose("the session ended");
        Run done = run.get(10, TimeUnit.SECONDS);
        assertThat(done.results()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.LEASE_LOST);
            assertThat(r.outcome().ran()).isTrue();
            assertThat(r.message()).startsWith("lease lost: the session ended").contains("the task stopped")
                    .contains("not run again");
            assertThat(r.error()).get().isInstanceOf(InterruptedException.class);
        });
        assertThat(done.leftInterrupted()).isFalse();
        assertThat(seen.get().reason()).contains("lease lost: the session ended");
        assertThat(store.lastFire("nightly")).contains(FIRE);
    }

    @Test
    @DisplayName("a task that ignores the cancellation and returns is still LEASE_LOST, and says it returned anyway")
    void ignoredCancellation() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        LosableGuard guard = new LosableGuard();
        CountDownLatch started = new CountDownLatch(1);
        Scheduler s = Scheduler.builder().clock(clock).guard(guard)
                .job(Job.builder("stubborn").cron("0 2 * * *").task(ctx -> {
                    CountDownLatch cancelled = new CountDownLatch(1);
                    ctx.cancellation().onCancel(cancelled::countDown);
                    started.countDown();
                    while (true) {
                        try {
                            if (cancelled.await(10, TimeUnit.SECONDS)) {
                                return;
                            }
                            throw new IllegalStateException("never cancelled");
                        } catch (InterruptedException ignored) {
                            // this task does not stop when interrupted
                        }
                    }
                }).build()).build();
        clock.set(FIRE);
        CompletableFuture<Run> run = runDueAsync(s);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        guard.lose("heartbeat timed out");
        Run done = run.get(20, TimeUnit.SECONDS);
        assertThat(done.results()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.LEASE_LOST);
            assertThat(r.message()).contains("heartbeat timed out").contains("returned anyway");
            assertThat(r.error()).isEmpty();
        });
        assertThat(done.leftInterrupted()).isFalse();
    }

    @Test
    @DisplayName("a replica that gets the lock while the fire runs elsewhere finds it claimed and does not run it; "
            + "after the holder's lease is lost the fire is handled, and the next fire runs once")
    void claimedFireNotRunTwice() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        JobStore shared = JobStore.inMemory();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Job job = Job.builder("nightly").cron("0 2 * * *").task(ctx -> {
            if (runs.incrementAndGet() == 1) {
                started.countDown();
                new CountDownLatch(1).await();
            }
        }).build();
        LosableGuard holderGuard = new LosableGuard();
        Scheduler holder = Scheduler.builder().clock(clock).guard(holderGuard).store(shared).job(job).build();
        // the local guard always grants: it stands for a replica that took the lock after the holder's session died
        Scheduler other = Scheduler.builder().clock(clock).store(shared).job(job).build();
        Scheduler late = Scheduler.builder().clock(clock).store(shared).job(job).build(); // ticks only at the end
        clock.set(FIRE);
        CompletableFuture<Run> held = runDueAsync(holder);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(other.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.SKIPPED_ALREADY_RAN);
            assertThat(r.message()).contains("claimed by an earlier run");
        });
        holderGuard.lose("the session ended");
        assertThat(held.get(10, TimeUnit.SECONDS).results()).extracting(JobResult::outcome)
                .containsExactly(JobOutcome.LEASE_LOST);
        assertThat(shared.lastFire("nightly")).contains(FIRE);
        clock.set(FIRE.plusSeconds(20));
        assertThat(late.runDue()).isEmpty();
        assertThat(runs).hasValue(1);

        clock.set(FIRE.plusSeconds(86_400));
        assertThat(other.runDue()).extracting(JobResult::outcome).containsExactly(JobOutcome.SUCCEEDED);
        assertThat(late.runDue()).isEmpty();
        assertThat(runs).hasValue(2);
    }

    @Test
    @DisplayName("a store that cannot claim the fire fails it without running the task")
    void unclaimable() {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        AtomicInteger runs = new AtomicInteger();
        JobStore readOnly = new JobStore() {
            @Override
            public Optional<Instant> lastFire(String job) {
                return Optional.empty();
            }

            @Override
            public void record(JobResult result) {
            }

            @Override
            public boolean claim(String job, Instant fire, String claimant) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot execute INSERT in a read-only transaction");
            }
        };
        Scheduler s = Scheduler.builder().clock(clock).store(readOnly)
                .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> runs.incrementAndGet()).build()).build();
        clock.set(FIRE);
        assertThat(s.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.FAILED);
            assertThat(r.message()).contains("could not claim the fire, fire not run").contains("read-only");
        });
        assertThat(runs).hasValue(0);
    }

    @Test
    @DisplayName("a store written before claims existed claims by comparing with its last fire")
    void defaultClaim() {
        AtomicReference<Instant> last = new AtomicReference<>();
        JobStore legacy = new JobStore() {
            @Override
            public Optional<Instant> lastFire(String job) {
                return Optional.ofNullable(last.get());
            }

            @Override
            public void record(JobResult result) {
                last.set(result.scheduledFor());
            }
        };
        assertThat(legacy.claim("nightly", FIRE, "x")).isTrue();
        last.set(FIRE);
        assertThat(legacy.claim("nightly", FIRE, "x")).isFalse();
        assertThat(legacy.claim("nightly", FIRE.plusSeconds(60), "x")).isTrue();
    }

    @Test
    @DisplayName("a cancellation runs its hooks once, also those registered after it; a context built without one "
            + "is never cancelled")
    void cancellationHooks() {
        Cancellation c = new Cancellation();
        AtomicInteger hooks = new AtomicInteger();
        c.onCancel(hooks::incrementAndGet);
        assertThat(c.cancel("because")).isTrue();
        assertThat(c.cancel("again")).isFalse();
        c.onCancel(hooks::incrementAndGet);
        assertThat(hooks).hasValue(2);
        assertThat(c.reason()).contains("because");
        assertThat(c).hasToString("Cancellation[because]");

        JobContext plain = new JobContext("nightly", FIRE, FIRE, false);
        assertThat(plain.cancellation().isCancelled()).isFalse();
        assertThat(Cancellation.never().reason()).isEmpty();
    }
}
