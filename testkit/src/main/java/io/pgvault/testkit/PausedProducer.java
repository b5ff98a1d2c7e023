package io.pgvault.testkit;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a put on another thread whose producer writes part of its content, then waits until the test lets it finish:
 * the way to look at a repository while a put is in progress.
 */
final class PausedProducer implements ObjectWriter, AutoCloseable {
    private static final long TIMEOUT_SECONDS = 60;

    private final byte[] content;
    private final int pauseAfter;
    private final CompletableFuture<Void> paused = new CompletableFuture<>();
    private final CompletableFuture<Void> resumed = new CompletableFuture<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private CompletableFuture<ObjectInfo> put;

    PausedProducer(byte[] content, int pauseAfter) {
        this.content = content.clone();
        this.pauseAfter = pauseAfter;
    }

    /** Starts {@code repository.put(key, this)} and returns once the producer has written its first part. */
    void startPut(Repository repository, String key) throws Exception {
        put = CompletableFuture.supplyAsync(() -> repository.put(key, this), executor);
        CompletableFuture.anyOf(paused, put).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (put.isDone()) {
            throw new AssertionError("put of '" + key + "' returned before its producer finished: " + put.get());
        }
    }

    /** Lets the producer write the rest and returns what the put returned. */
    ObjectInfo finish() throws Exception {
        resumed.complete(null);
        return put.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(content, 0, pauseAfter);
        out.flush();
        paused.complete(null);
        try {
            resumed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("the test never resumed the producer", e);
        }
        out.write(content, pauseAfter, content.length - pauseAfter);
    }

    @Override
    public void close() throws InterruptedException {
        resumed.complete(null);
        executor.shutdown();
        if (!executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}
