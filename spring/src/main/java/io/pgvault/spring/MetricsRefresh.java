package io.pgvault.spring;

import io.pgvault.api.PgVault;
import io.pgvault.operations.metrics.VaultMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Re-reads the catalog into the meters every TTL: events reach only the replica that ran the backup. */
final class MetricsRefresh implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRefresh.class);

    private final VaultMetrics metrics;
    private final Optional<PgVault> vault;
    private final Duration every;
    private ScheduledExecutorService timer;

    MetricsRefresh(VaultMetrics metrics, Optional<PgVault> vault, Duration every) {
        this.metrics = metrics;
        this.vault = vault;
        this.every = every;
    }

    @Override
    public synchronized void start() {
        if (vault.isEmpty()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgvault-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                metrics.watch(vault.get());
            } catch (RuntimeException e) {
                LOG.warn("pgvault metrics: cannot read the catalog of {}: {}", vault.get().repository().id(),
                        e.toString());
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS); // the first read too: never on the start-up thread
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
