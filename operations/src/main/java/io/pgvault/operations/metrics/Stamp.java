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

/** A timestamp with its age gauge. */
final class Stamp {
    private final Clock clock;
    private volatile Instant at;

    Stamp(Clock clock) {
        this.clock = clock;
    }

    /** @return whether {@code when} is now the newest time (not older than the one held) */
    synchronized boolean advance(Instant when) {
        Instant current = at;
        if (current == null || !when.isBefore(current)) {
            at = when;
            return true;
        }
        return false;
    }

    double epochSeconds() {
        Instant a = at;
        return a == null ? Double.NaN : a.toEpochMilli() / 1000.0;
    }

    double ageSeconds() {
        Instant a = at;
        return a == null ? Double.NaN : Duration.between(a, clock.instant()).toMillis() / 1000.0;
    }

    void register(MeterRegistry registry, String name, Tags tags, String description) {
        Gauge.builder(name, this, Stamp::epochSeconds).tags(tags).baseUnit("seconds")
                .description(description).register(registry);
        Gauge.builder(name + ".age", this, Stamp::ageSeconds).tags(tags).baseUnit("seconds")
                .description("seconds since: " + description).register(registry);
    }
}
