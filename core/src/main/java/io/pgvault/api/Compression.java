package io.pgvault.api;

import java.util.Objects;

/**
 * How the pipeline compresses stored bytes.
 *
 * @param algorithm none, gzip or zstd
 * @param level     algorithm level (zstd 1..19, default 3; gzip 1..9, default 6; ignored for none)
 * @param workers   zstd native worker threads; 0 compresses on the calling thread; ignored for gzip and none
 * @since 0.1.0
 */
public record Compression(Algorithm algorithm, int level, int workers) {

    /** A compression algorithm. */
    public enum Algorithm {
        /** Stored as is. */
        NONE,
        /** gzip (RFC 1952); {@code gunzip} reads it. */
        GZIP,
        /** Zstandard; {@code zstd -d} reads it. */
        ZSTD
    }

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public Compression {
        Objects.requireNonNull(algorithm, "algorithm");
        switch (algorithm) {
            case ZSTD -> {
                if (level < 1 || level > 19) {
                    throw new ConfigurationException("zstd level must be 1..19, was " + level);
                }
            }
            case GZIP -> {
                if (level < 1 || level > 9) {
                    throw new ConfigurationException("gzip level must be 1..9, was " + level);
                }
            }
            case NONE -> level = 0;
        }
        if (workers < 0 || workers > 64) {
            throw new ConfigurationException("compression workers must be 0..64, was " + workers);
        }
        if (algorithm != Algorithm.ZSTD) {
            workers = 0;
        }
    }

    /** @return no compression */
    public static Compression none() {
        return new Compression(Algorithm.NONE, 0, 0);
    }

    /** @return gzip at level 6 */
    public static Compression gzip() {
        return new Compression(Algorithm.GZIP, 6, 0);
    }

    /**
     * The default: zstd at level 3 with {@link #defaultWorkers()} native worker threads, so that compression runs
     * beside the thread that reads the dump (on two cores this is what keeps a backup as fast as
     * {@code pg_dump | zstd -3}; see docs/benchmarks.md). The output is one standard zstd frame either way.
     *
     * @return zstd level 3 with the default workers
     */
    public static Compression zstd() {
        return new Compression(Algorithm.ZSTD, 3, defaultWorkers());
    }

    /** @return {@code min(4, available processors)}: the zstd workers {@link #zstd()} uses */
    public static int defaultWorkers() {
        return Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param level   1..19
     * @param workers 0..64 native worker threads (0: compress on the calling thread)
     * @return zstd with that level and workers
     */
    public static Compression zstd(int level, int workers) {
        return new Compression(Algorithm.ZSTD, level, workers);
    }

    /** @return a file-name suffix for the algorithm, e.g. {@code .zst} */
    public String suffix() {
        return switch (algorithm) {
            case NONE -> "";
            case GZIP -> ".gz";
            case ZSTD -> ".zst";
        };
    }
}
