package io.pgvault.spi.process;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One daemon timer thread that kills tools which exceed their time limit. */
final class Watchdog {
    private static final ScheduledExecutorService TIMER = create();

    private Watchdog() {
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pgvault-tool-watchdog");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(ex);
    }

    static ScheduledFuture<?> schedule(Runnable action, long delay, TimeUnit unit) {
        return TIMER.schedule(action, delay, unit);
    }
}
