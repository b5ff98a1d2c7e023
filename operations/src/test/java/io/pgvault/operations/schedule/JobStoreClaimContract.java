package io.pgvault.operations.schedule;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link JobStore} promises about {@link JobStore#claim}: a fire is claimed once, also by a second store
 * over the same storage (another replica or process), also when many threads race for it.
 */
abstract class JobStoreClaimContract {
    private static final AtomicInteger JOBS = new AtomicInteger();
    private static final Instant FIRE = Instant.parse("2026-03-01T02:00:00Z");

    /** Unique per test, so that stores sharing one database between tests do not see each other's claims. */
    private String job;

    /** @return a store; each call opens the same storage again (for the in-memory store: the same instance) */
    abstract JobStore store();

    @BeforeEach
    void newJobName() {
        job = "claimed-" + JOBS.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    @DisplayName("the first claim of a fire succeeds, a second one of the same fire is refused, also from another "
            + "store over the same storage")
    void secondClaimRefused() {
        JobStore a = store();
        JobStore b = store();
        assertThat(a.claim(job, FIRE, "replica a")).isTrue();
        assertThat(a.claim(job, FIRE, "replica a")).isFalse();
        assertThat(b.claim(job, FIRE, "replica b")).isFalse();
    }

    @Test
    @DisplayName("other fires and other jobs are claimed independently")
    void independentKeys() {
        JobStore s = store();
        assertThat(s.claim(job, FIRE, "x")).isTrue();
        assertThat(s.claim(job, FIRE.plusSeconds(60), "x")).isTrue();
        assertThat(s.claim(job + "-other", FIRE, "x")).isTrue();
    }

    @Test
    @DisplayName("once a later fire is claimed, an earlier one cannot be (a replica whose clock lags, after the "
            + "holder of the later fire lost its lease or crashed)")
    void laterClaimSupersedes() {
        JobStore s = store();
        assertThat(s.claim(job, FIRE.plusSeconds(120), "ahead")).isTrue();
        assertThat(s.claim(job, FIRE.plusSeconds(60), "behind")).isFalse();
        assertThat(s.claim(job, FIRE.plusSeconds(180), "next")).isTrue();
    }

    @Test
    @DisplayName("a fire at or before the recorded one cannot be claimed; a later one can, and recording does not "
            + "free the claim of the recorded fire")
    void recordedFiresRefused() {
        JobStore s = store();
        assertThat(s.claim(job, FIRE, "x")).isTrue();
        s.record(result(FIRE));
        assertThat(store().claim(job, FIRE, "y")).isFalse();
        assertThat(store().claim(job, FIRE.minusSeconds(3600), "y")).isFalse();
        assertThat(store().claim(job, FIRE.plusSeconds(3600), "y")).isTrue();
        assertThat(store().claim(job, FIRE.plusSeconds(3600), "z")).isFalse();
        assertThat(store().lastFire(job)).contains(FIRE);
    }

    @Test
    @DisplayName("eight threads with their own stores racing for one fire: exactly one claims it")
    void race() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> claims = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                JobStore s = store();
                String claimant = "thread " + i;
                Callable<Boolean> claim = () -> {
                    assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
                    return s.claim(job, FIRE, claimant);
                };
                claims.add(pool.submit(claim));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : claims) {
                won += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private JobResult result(Instant fire) {
        return new JobResult(job, fire, fire, fire.plusSeconds(5), JobOutcome.SUCCEEDED, false, "ran",
                Optional.empty());
    }
}
