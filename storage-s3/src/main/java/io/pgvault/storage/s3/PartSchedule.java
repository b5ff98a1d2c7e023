package io.pgvault.storage.s3;

/**
 * The sizes of a multipart upload's parts for a stream of unknown size (ADR 0007): parts start at the configured part
 * size and double every {@code step} parts, up to {@code cap}, so small objects keep small parts and a long stream
 * still fits S3's 10,000 parts. {@code cap} is half the upload memory (one part filling while one uploads), at most
 * {@link S3RepositoryConfig#MAX_PART_SIZE}; with it the largest object grows with the memory allowed: about 152 GiB
 * with 32 MiB; 10,000 parts of 2 GiB of memory would hold 6.8 TiB, of which S3 stores 5 TiB.
 *
 * @param initial  the first parts' size, at least S3's 5 MiB (smaller only in tests)
 * @param cap      the largest part
 * @param step     parts per size
 * @param maxParts parts allowed
 */
record PartSchedule(int initial, int cap, int step, int maxParts) {
    /** Parts of one size before it doubles. */
    static final int STEP = 500;

    PartSchedule {
        if (initial < 1 || cap < initial || step < 1 || maxParts < 1) {
            throw new IllegalArgumentException("invalid part schedule " + initial + "/" + cap + "/" + step + "/"
                    + maxParts);
        }
    }

    /** @return the schedule a repository's settings give */
    static PartSchedule of(S3RepositoryConfig config) {
        long half = config.maxBufferedBytes() / 2 / (1024 * 1024) * (1024 * 1024);
        int cap = !config.growingParts() ? config.partSize()
                : (int) Math.max(config.partSize(), Math.min(S3RepositoryConfig.MAX_PART_SIZE, half));
        return new PartSchedule(config.partSize(), cap, STEP, S3RepositoryConfig.MAX_PARTS);
    }

    /**
     * @param partNumber 1-based
     * @return that part's size
     */
    int size(int partNumber) {
        int doublings = Math.min(30, (partNumber - 1) / step);
        return (int) Math.min(cap, (long) initial << doublings);
    }

    /** @return the largest object {@code maxParts} parts of this schedule hold */
    long maxObjectSize() {
        long total = 0;
        for (int n = 1; n <= maxParts; n++) {
            total += size(n);
        }
        return Math.min(total, S3_MAX_OBJECT);
    }

    /** The largest object S3 (and R2) stores, 5 TiB, whatever the parts could hold. */
    static final long S3_MAX_OBJECT = 5L * 1024 * 1024 * 1024 * 1024;
}
