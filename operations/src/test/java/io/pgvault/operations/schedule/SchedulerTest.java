package io.pgvault.operations.schedule;

import io.pgvault.testkit.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler driven by a test clock: no sleeping, fires decided by the clock alone. */
class SchedulerTest {

    private static Job job(String name, String cron, List<JobContext> runs) {
        return Job.builder(name).cron(cron).task(runs::add).build();
    }

    @Test
    @DisplayName("a daily job fires when the clock reaches its time, once, and again the next day")
    void firesOnTime() {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        List<JobContext> runs = new ArrayList<>();
        Scheduler scheduler = Scheduler.builder().clock(clock).job(job("nightly", "0 2 * * *", runs)).build();

        assertThat(scheduler.runDue()).isEmpty();
        assertThat(scheduler.nextFire("nightly")).contains(Instant.parse("2026-03-01T02:00:00Z"));
        clock.set("2026-03-01T01:59:59Z");
        assertThat(scheduler.runDue()).isEmpty();
        clock.set("2026-03-01T02:00:00Z");
        List<JobResult> results = scheduler.runDue();
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.SUCCEEDED);
            assertThat(r.scheduledFor()).isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
            assertThat(r.misfire()).isFalse();
        });
        assertThat(runs).singleElement().extracting(JobContext::scheduledFor)
                .isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(scheduler.runDue()).isEmpty();
        clock.set("2026-03-02T02:00:20Z");
        assertThat(scheduler.runDue()).extracting(JobResult::outcome).containsExactly(JobOutcome.SUCCEEDED);
        assertThat(runs).hasSize(2);
        assertThat(scheduler.lastResult("nightly")).map(JobResult::scheduledFor)
                .contains(Instant.parse("2026-03-02T02:00:00Z"));
        assertThat(scheduler.history("nightly")).hasSize(2);
    }

    @Test
    @DisplayName("weekly full + daily incremental + monthly drill over two months of hourly ticks fire the right "
            + "number of times")
    void weeklyDailyMonthly() {
        MutableClock clock = new MutableClock("2026-03-01T00:00:00Z");
        List<JobContext> full = new ArrayList<>();
        List<JobContext> incr = new ArrayList<>();
        List<JobContext> drill = new ArrayList<>();
        Scheduler scheduler = Scheduler.builder().clock(clock)
                .job(job("weekly-full", "0 2 * * SUN", full))
                .job(job("daily-incr", "0 2 * * MON-SAT", incr))
                .job(job("monthly-drill", "0 0 4 1 * ?", drill))
                .build();
        for (int hour = 0; hour < 24 * 61; hour++) { // March and April 2026
            clock.advance(Duration.ofHours(1));
            scheduler.runDue();
        }
        assertThat(full).hasSize(9).allMatch(c -> c.scheduledFor().atZone(java.time.ZoneOffset.UTC)
                .getDayOfWeek() == java.time.DayOfWeek.SUNDAY);
        assertThat(incr).hasSize(61 - 9);
        assertThat(drill).extracting(JobContext::scheduledFor)
                .containsExactly(Instant.parse("2026-03-01T04:00:00Z"), Instant.parse("2026-04-01T04:00:00Z"));
        assertThat(full).noneMatch(JobContext::misfire);
    }

    @Test
    @DisplayName("after three days of downtime a RUN_ONCE job runs once, late, for the latest missed fire; the "
            + "file store told the new scheduler what the old one ran")
    void misfireRunOnce(@TempDir Path dir) {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        List<JobContext> runs = new ArrayList<>();
        JobStore store = JobStore.file(dir.resolve("jobs.properties"));
        Scheduler before = Scheduler.builder().clock(clock).store(store).job(job("nightly", "0 2 * * *", runs))
                .build();
        clock.set("2026-03-01T02:00:05Z");
        assertThat(before.runDue()).extracting(JobResult::outcome).containsExactly(JobOutcome.SUCCEEDED);
        before.close();

        clock.set("2026-03-04T09:30:00Z"); // down over three fire times
        Scheduler after = Scheduler.builder().clock(clock).store(JobStore.file(dir.resolve("jobs.properties")))
                .job(job("nightly", "0 2 * * *", runs)).build();
        List<JobResult> results = after.runDue();
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.SUCCEEDED);
            assertThat(r.misfire()).isTrue();
            assertThat(r.scheduledFor()).isEqualTo(Instant.parse("2026-03-04T02:00:00Z"));
        });
        assertThat(runs).hasSize(2).last().satisfies(c -> assertThat(c.misfire()).isTrue());
        assertThat(after.runDue()).isEmpty();
        assertThat(after.nextFire("nightly")).contains(Instant.parse("2026-03-05T02:00:00Z"));
    }

    @Test
    @DisplayName("a SKIP job records the missed fire without running and waits for the next one")
    void misfireSkip(@TempDir Path dir) {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        AtomicInteger runs = new AtomicInteger();
        Job drill = Job.builder("drill").cron("0 4 * * *").misfire(MisfirePolicy.SKIP)
                .misfireThreshold(Duration.ofMinutes(10)).task(ctx -> runs.incrementAndGet()).build();
        JobStore store = JobStore.file(dir.resolve("jobs.properties"));
        Scheduler scheduler = Scheduler.builder().clock(clock).store(store).job(drill).build();
        clock.set("2026-03-01T04:09:00Z"); // late but within the threshold: on time
        assertThat(scheduler.runDue()).extracting(JobResult::outcome).containsExactly(JobOutcome.SUCCEEDED);

        clock.set("2026-03-02T04:11:00Z"); // past the threshold
        assertThat(scheduler.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.MISSED);
            assertThat(r.message()).contains("missed by PT11M");
        });
        assertThat(runs).hasValue(1);
        assertThat(store.lastFire("drill")).contains(Instant.parse("2026-03-02T04:00:00Z"));
        assertThat(scheduler.runDue()).isEmpty();
        assertThat(scheduler.nextFire("drill")).contains(Instant.parse("2026-03-03T04:00:00Z"));
    }

    @Test
    @DisplayName("a fresh scheduler without a record does not run fires from before it was built")
    void noPastFiresOnFirstStart() {
        MutableClock clock = new MutableClock("2026-03-04T09:30:00Z");
        List<JobContext> runs = new ArrayList<>();
        Scheduler scheduler = Scheduler.builder().clock(clock).job(job("nightly", "0 2 * * *", runs)).build();
        assertThat(scheduler.runDue()).isEmpty();
        assertThat(runs).isEmpty();
    }

    @Test
    @DisplayName("a failing task is recorded as FAILED with its error, and the next fire still runs")
    void failure() {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        AtomicInteger calls = new AtomicInteger();
        Scheduler scheduler = Scheduler.builder().clock(clock).job(Job.builder("nightly").cron("0 2 * * *")
                .task(ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("disk full");
                    }
                }).build()).build();
        clock.set("2026-03-01T02:00:00Z");
        assertThat(scheduler.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.FAILED);
            assertThat(r.error()).get().extracting(Throwable::getMessage).isEqualTo("disk full");
            assertThat(r.message()).contains("disk full");
        });
        clock.set("2026-03-02T02:00:00Z");
        assertThat(scheduler.runDue()).extracting(JobResult::outcome).containsExactly(JobOutcome.SUCCEEDED);
    }

    @Test
    @DisplayName("a job never overlaps itself: a fire while the previous run is busy is skipped as SKIPPED_OVERLAP")
    void noOverlap() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T00:00:00Z");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Scheduler scheduler = Scheduler.builder().clock(clock).job(Job.builder("hourly").cron("0 * * * *")
                .task(ctx -> {
                    runs.incrementAndGet();
                    started.countDown();
                    release.await();
                }).build()).build();
        clock.set("2026-03-01T01:00:00Z");
        CompletableFuture<List<JobResult>> first = CompletableFuture.supplyAsync(scheduler::runDue);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        clock.set("2026-03-01T02:00:00Z");
        assertThat(scheduler.runDue()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.SKIPPED_OVERLAP);
            assertThat(r.scheduledFor()).isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
        });
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).extracting(JobResult::outcome)
                .containsExactly(JobOutcome.SUCCEEDED);
        assertThat(runs).hasValue(1);
        assertThat(scheduler.runDue()).isEmpty();
    }

    @Test
    @DisplayName("start() ticks on its own thread and runs due jobs on workers; results reach the listener")
    void startedScheduler() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:59:00Z");
        List<JobResult> results = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        Scheduler scheduler = Scheduler.builder().clock(clock).tickInterval(Duration.ofMillis(5))
                .onResult(r -> {
                    results.add(r);
                    done.countDown();
                })
                .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> { }).build()).build();
        scheduler.start();
        clock.set("2026-03-01T02:00:00Z");
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(results).extracting(JobResult::outcome).containsExactly(JobOutcome.SUCCEEDED);
    }

    @Test
    @DisplayName("shutdown waits for a running job that finishes within the grace period")
    void shutdownWaits() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Scheduler scheduler = Scheduler.builder().clock(clock).job(Job.builder("nightly").cron("0 2 * * *")
                .task(ctx -> {
                    started.countDown();
                    release.await();
                }).build()).build();
        clock.set("2026-03-01T02:00:00Z");
        CompletableFuture<List<JobResult>> run = CompletableFuture.supplyAsync(scheduler::runDue);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(
                () -> scheduler.shutdown(Duration.ofSeconds(30)));
        release.countDown();
        assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.get(10, TimeUnit.SECONDS)).extracting(JobResult::outcome)
                .containsExactly(JobOutcome.SUCCEEDED);
        org.assertj.core.api.Assertions.assertThatThrownBy(scheduler::runDue)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
    }

    @Test
    @DisplayName("shutdown interrupts a job still running when the grace period ends; it is recorded as FAILED")
    void shutdownInterrupts() throws Exception {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Scheduler scheduler = Scheduler.builder().clock(clock).interruptGrace(Duration.ofSeconds(10))
                .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> {
                    started.countDown();
                    never.await();
                }).build()).build();
        clock.set("2026-03-01T02:00:00Z");
        CompletableFuture<List<JobResult>> run = CompletableFuture.supplyAsync(scheduler::runDue);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.shutdown(Duration.ofMillis(50))).isTrue();
        assertThat(run.get(10, TimeUnit.SECONDS)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(JobOutcome.FAILED);
            assertThat(r.error()).get().isInstanceOf(InterruptedException.class);
        });
    }
}
