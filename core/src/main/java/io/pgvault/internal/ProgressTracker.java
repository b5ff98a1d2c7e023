package io.pgvault.internal;

import io.pgvault.api.BackupId;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.Phase;
import io.pgvault.api.event.VaultListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes of one long operation and reports them: a {@link Events.Progress} event at most once a
 * second, and an SLF4J line at most every {@link #LOG_EVERY}. Thread-safe: several objects of one set may be written
 * concurrently.
 */
public final class ProgressTracker {
    /** How often progress is logged. */
    public static final Duration LOG_EVERY = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ProgressTracker.class);
    private static final long EVENT_EVERY_NANOS = 1_000_000_000L;

    private final VaultListener listener;
    private final Clock clock;
    private final String location;
    private final BackupId id;
    private final Phase phase;
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private long lastEventNanos = startNanos;
    private long lastLogNanos = startNanos;

    /**
     * @param listener who to tell
     * @param clock    time source for the events' timestamps
     * @param location repository id or tier name
     * @param id       the set concerned
     * @param phase    what is being done
     */
    public ProgressTracker(VaultListener listener, Clock clock, String location, BackupId id, Phase phase) {
        this.listener = listener;
        this.clock = clock;
        this.location = location;
        this.id = id;
        this.phase = phase;
    }

    /** @return bytes counted so far */
    public long bytes() {
        return bytes.get();
    }

    /**
     * Counts bytes and reports when a report is due.
     *
     * @param n bytes just processed
     */
    public void add(long n) {
        long total = bytes.addAndGet(n);
        long now = System.nanoTime();
        boolean event;
        boolean log;
        synchronized (this) {
            event = now - lastEventNanos >= EVENT_EVERY_NANOS;
            log = now - lastLogNanos >= LOG_EVERY.toNanos();
            if (event) {
                lastEventNanos = now;
            }
            if (log) {
                lastLogNanos = now;
            }
        }
        if (event || log) {
            Duration elapsed = Duration.ofNanos(now - startNanos);
            double rate = total / Math.max(1e-9, elapsed.toNanos() / 1e9);
            if (log) {
                LOG.info("{} of {} at {}: {} MiB in {} s ({} MiB/s)", phase.name().toLowerCase(java.util.Locale.ROOT),
                        id, location, total >> 20, elapsed.toSeconds(), String.format(java.util.Locale.ROOT, "%.1f",
                                rate / (1 << 20)));
            }
            if (event) {
                listener.on(new Events.Progress(clock.instant(), location, id, phase, total, elapsed, rate));
            }
        }
    }

    /**
     * @param out a stream
     * @return {@code out}, counting what passes through into this tracker
     */
    public OutputStream counting(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                add(1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                add(len);
            }
        };
    }
}
