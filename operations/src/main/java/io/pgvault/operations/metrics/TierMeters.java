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

/** Meters of one tier. */
final class TierMeters {
    final Tags tags;
    final Stamp lastSuccess;
    final List<Counter> failures = new CopyOnWriteArrayList<>();

    TierMeters(Tags tags, Clock clock) {
        this.tags = tags;
        this.lastSuccess = new Stamp(clock);
    }

    void succeeded(Instant at) {
        lastSuccess.advance(at);
    }

    void register(MeterRegistry r) {
        lastSuccess.register(r, "pgvault.tier.last.success", tags, "the last copy to the tier");
        failures.add(Counter.builder("pgvault.tier.copy.failures").tags(tags).description("failed tier copies")
                .register(r));
    }
}
