package io.pgvault.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Samples the bytes under a directory every 10 ms on a daemon thread while a piece of work runs; keeps the peak. */
final class ScratchSampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean done = new AtomicBoolean();
    private final Thread thread;

    ScratchSampler(Path dir) {
        thread = new Thread(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(bytesUnder(dir), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "scratch-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the most bytes seen under the directory so far */
    long peak() {
        return peak.get();
    }

    /** Stops sampling and waits for the sampler. */
    @Override
    public void close() {
        done.set(true);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the bytes of the regular files under {@code dir}; 0 when it is missing (files vanish while walking) */
    static long bytesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException e) {
                    return 0; // deleted while walking
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
