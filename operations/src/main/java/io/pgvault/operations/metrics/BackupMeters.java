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

/** Meters of one repository and strategy. */
final class BackupMeters {
    final Tags tags;
    final Stamp lastSuccess;
    final List<Counter> failures = new CopyOnWriteArrayList<>();
    final List<Timer> durations = new CopyOnWriteArrayList<>();
    private volatile double storedBytes = Double.NaN;
    private volatile double logicalBytes = Double.NaN;

    BackupMeters(Tags tags, Clock clock) {
        this.tags = tags;
        this.lastSuccess = new Stamp(clock);
    }

    void completed(BackupSet set, boolean timed) {
        lastSuccess.advance(set.finishedAt());
        storedBytes = set.storedBytes();
        logicalBytes = set.logicalBytes();
        if (timed) {
            durations.forEach(t -> t.record(set.duration()));
        }
    }

    void register(MeterRegistry r) {
        lastSuccess.register(r, "pgvault.backup.last.success", tags, "when the newest backup finished");
        failures.add(Counter.builder("pgvault.backup.failures").tags(tags).description("failed backups")
                .register(r));
        durations.add(Timer.builder("pgvault.backup.duration").tags(tags).description("successful backups")
                .register(r));
        Gauge.builder("pgvault.backup.size", this, m -> m.storedBytes).tags(tags).tag("kind", "stored")
                .baseUnit("bytes").description("size of the newest backup").register(r);
        Gauge.builder("pgvault.backup.size", this, m -> m.logicalBytes).tags(tags).tag("kind", "logical")
                .baseUnit("bytes").description("size of the newest backup").register(r);
    }
}
