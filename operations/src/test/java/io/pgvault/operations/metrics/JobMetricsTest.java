package io.pgvault.operations.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvault.operations.schedule.Job;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.testkit.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class JobMetricsTest {

    @Test
    @DisplayName("job results are counted by outcome and the last-success age grows with the clock")
    void jobMetrics() {
        MutableClock clock = new MutableClock("2026-03-01T01:00:00Z");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobMetrics metrics = new JobMetrics(clock);
        metrics.bindTo(registry);
        AtomicInteger calls = new AtomicInteger();
        Scheduler scheduler = Scheduler.builder().clock(clock).onResult(metrics)
                .job(Job.builder("nightly").cron("0 2 * * *").task(ctx -> {
                    if (calls.incrementAndGet() == 2) {
                        throw new IllegalStateException("boom");
                    }
                }).build()).build();
        clock.set("2026-03-01T02:00:00Z");
        scheduler.runDue();
        clock.set("2026-03-02T02:00:00Z");
        scheduler.runDue();
        clock.set("2026-03-02T05:00:00Z");
        assertThat(registry.get("pgvault.job.results").tags("job", "nightly", "outcome", "SUCCEEDED").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("pgvault.job.results").tags("job", "nightly", "outcome", "FAILED").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("pgvault.job.last.success").tags("job", "nightly").gauge().value())
                .isEqualTo(java.time.Instant.parse("2026-03-01T02:00:00Z").getEpochSecond());
        assertThat(registry.get("pgvault.job.last.success.age").tags("job", "nightly").gauge().value())
                .isEqualTo(Duration.ofHours(27).toSeconds());
        scheduler.close();
    }
}
