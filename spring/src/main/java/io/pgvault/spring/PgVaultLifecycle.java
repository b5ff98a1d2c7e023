package io.pgvault.spring;

import io.pgvault.operations.schedule.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;

/**
 * Starts the scheduler when the context has started and stops it when the context closes, in the order that loses
 * nothing: no new fires, then running jobs get the grace to finish (a backup in flight completes or is removed, never
 * half-listed).
 */
final class PgVaultLifecycle implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(PgVaultLifecycle.class);

    private final Scheduler scheduler;
    private final Duration grace;
    private volatile boolean running;

    PgVaultLifecycle(Scheduler scheduler, Duration grace) {
        this.scheduler = scheduler;
        this.grace = grace;
    }

    @Override
    public void start() {
        scheduler.start();
        running = true;
        LOG.info("pgvault scheduler started: {}", scheduler.jobs().stream().map(j -> j.name() + " next "
                + scheduler.nextFire(j.name()).map(Object::toString).orElse("never")).toList());
    }

    @Override
    public void stop() {
        boolean finished = scheduler.shutdown(grace);
        running = false;
        LOG.info("pgvault scheduler stopped{}", finished ? "" : " (a job was interrupted)");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops early (after the web server has stopped taking requests) and starts late. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
}
