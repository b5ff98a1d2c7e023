package io.pgvault.testkit.s3;

import org.gaul.s3proxy.S3Proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Starting and stopping an in-process S3Proxy, shared by {@link TlsS3Server} and {@link S3ProxyServer}. */
final class S3Proxies {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private S3Proxies() {
    }

    /** Starts {@code proxy} and waits until it serves; stops it again when it does not come up. */
    static void start(S3Proxy proxy, String where) {
        try {
            proxy.start();
            awaitStarted(proxy);
        } catch (Exception e) {
            stopQuietly(proxy);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("S3Proxy did not start on " + where + ": " + e, e);
        }
    }

    /** Stops {@code proxy}, reporting a failure as an unchecked exception. */
    static void stop(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e, e);
        }
    }

    private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                throw new IllegalStateException("state " + proxy.getState() + " after waiting up to "
                        + START_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while S3Proxy started");
            }
        }
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception ignored) {
            // it did not start; the start failure is what the caller reports
        }
    }
}
