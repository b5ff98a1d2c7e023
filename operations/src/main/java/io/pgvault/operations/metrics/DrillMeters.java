package io.pgvault.operations.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pgvault.api.BackupSet;
import io.pgvault.operations.health.ArchiveMonitor;
import io.pgvault.operations.health.ArchiveStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Meters of restores and proofs of restorability of one repository. */
final class DrillMeters {
    final Tags tags;
    final Stamp lastSuccess;
    final List<Timer> restores = new CopyOnWriteArrayList<>();
    final List<Counter> failures = new CopyOnWriteArrayList<>();
    private volatile double rtoSeconds = Double.NaN;

    DrillMeters(Tags tags, Clock clock) {
        this.tags = tags;
        this.lastSuccess = new Stamp(clock);
    }

    void proven(Instant at, Duration rto) {
        boolean newest = lastSuccess.advance(at);
        if (rto != null && newest) {
            rtoSeconds = rto.toMillis() / 1000.0;
        }
    }

    void register(MeterRegistry r) {
        lastSuccess.register(r, "pgvault.drill.last.success", tags, "the last proof of restorability");
        Gauge.builder("pgvault.drill.rto", this, m -> m.rtoSeconds).tags(tags).baseUnit("seconds")
                .description("recovery time measured by the last passing drill").register(r);
        failures.add(Counter.builder("pgvault.drill.failures").tags(tags).description("failed restore drills")
                .register(r));
        restores.add(Timer.builder("pgvault.restore.duration").tags(tags).description("completed restores")
                .register(r));
    }
}
