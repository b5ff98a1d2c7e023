package io.pgvault.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock the test moves: it stands still until {@link #set(Instant)} or {@link #advance(Duration)} is called.
 * Safe to read from other threads (a scheduler, a guard) while the test moves it.
 *
 * @since 0.2.0
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    /**
     * @param start the instant the clock shows first
     * @since 0.2.0
     */
    public MutableClock(Instant start) {
        this.now = start;
    }

    /**
     * @param start the instant the clock shows first, in {@link Instant#parse(CharSequence)} form
     *              ({@code 2026-01-05T02:00:00Z})
     * @since 0.2.0
     */
    public MutableClock(String start) {
        this(Instant.parse(start));
    }

    /**
     * Moves the clock to an instant, forwards or backwards.
     *
     * @param instant what the clock shows from now on
     * @since 0.2.0
     */
    public void set(Instant instant) {
        now = instant;
    }

    /**
     * Moves the clock to an instant given in {@link Instant#parse(CharSequence)} form.
     *
     * @param instant what the clock shows from now on
     * @since 0.2.0
     */
    public void set(String instant) {
        now = Instant.parse(instant);
    }

    /**
     * Moves the clock by a duration (backwards when it is negative).
     *
     * @param d how far to move it
     * @since 0.2.0
     */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    /**
     * @return UTC, always
     */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /**
     * @param zone ignored
     * @return this clock: the zone never changes what a test sees
     */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /**
     * @return the instant the test last set
     */
    @Override
    public Instant instant() {
        return now;
    }
}
