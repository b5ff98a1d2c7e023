package io.pgvault.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How long a writer's claim on a set in progress lasts. A backup or tier copy writes {@code intents/<id>.json}
 * before its first object and rewrites it every {@code refreshEvery}; other processes treat the set as in progress
 * while the intent's own modification time, by the repository's clock, is younger than {@code expireAfter}. A writer
 * that could not refresh for half of {@code expireAfter} (a stalled network, a paused VM) gives its set up rather than
 * commit it, because another process may by then have judged it abandoned (ADR 0002).
 *
 * @param refreshEvery how often a live writer rewrites its intent; default 2 minutes
 * @param expireAfter  age after which an intent no longer protects its set; default 20 minutes, at least three
 *                     refresh intervals
 * @since 0.3.0
 */
public record Leases(Duration refreshEvery, Duration expireAfter) {
    /** Validates the durations, reporting every problem at once. */
    public Leases {
        List<String> problems = new ArrayList<>();
        Objects.requireNonNull(refreshEvery, "refreshEvery");
        Objects.requireNonNull(expireAfter, "expireAfter");
        if (refreshEvery.isNegative() || refreshEvery.isZero()) {
            problems.add("lease refresh interval must be positive, was " + refreshEvery);
        }
        if (expireAfter.compareTo(refreshEvery.multipliedBy(3)) < 0) {
            problems.add("lease expiry " + expireAfter + " must be at least three refresh intervals ("
                    + refreshEvery.multipliedBy(3) + ")");
        }
        ConfigurationException.throwIfAny(problems);
    }

    /** @return 2-minute refresh, 20-minute expiry */
    public static Leases defaults() {
        return new Leases(Duration.ofMinutes(2), Duration.ofMinutes(20));
    }

    /** @return how long a writer may go without a successful refresh and still commit: half the expiry */
    public Duration commitWindow() {
        return expireAfter.dividedBy(2);
    }
}
