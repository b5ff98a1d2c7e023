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

/** Archive gauges over a cached {@link ArchiveMonitor#status()}. */
final class ArchiveGauges {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveGauges.class);

    private final ArchiveMonitor monitor;
    private final Clock clock;
    private final Duration cacheFor;
    private Instant readAt;
    private ArchiveStatus status;

    ArchiveGauges(ArchiveMonitor monitor, Clock clock, Duration cacheFor) {
        this.monitor = monitor;
        this.clock = clock;
        this.cacheFor = cacheFor;
    }

    private synchronized ArchiveStatus status() {
        Instant now = clock.instant();
        if (readAt == null || now.isBefore(readAt) || !now.isBefore(readAt.plus(cacheFor))) {
            readAt = now;
            try {
                status = monitor.status();
            } catch (RuntimeException e) {
                LOG.warn("archive gauges of {}: {}", monitor.name(), e.getMessage());
                status = null;
            }
        }
        return status;
    }

    private double read(java.util.function.ToDoubleFunction<ArchiveStatus> f) {
        ArchiveStatus s = status();
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    void register(MeterRegistry r) {
        Tags tags = Tags.of("archive", monitor.name());
        Gauge.builder("pgvault.archive.lag", this, g -> g.read(s -> s.lag()
                .map(d -> d.toMillis() / 1000.0).orElse(Double.NaN))).tags(tags).baseUnit("seconds")
                .description("WAL archive lag").register(r);
        Gauge.builder("pgvault.archive.pending.segments", this, g -> g.read(s -> s.pendingSegments()
                .map(Long::doubleValue).orElse(Double.NaN))).tags(tags)
                .description("completed WAL segments not yet archived").register(r);
        Gauge.builder("pgvault.archive.failing", this, g -> g.read(s -> s.failing() ? 1 : 0)).tags(tags)
                .description("1 while WAL archiving fails").register(r);
    }
}
