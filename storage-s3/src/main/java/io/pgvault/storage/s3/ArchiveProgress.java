package io.pgvault.storage.s3;

import java.time.Duration;

/**
 * Where a retrieval from the archive stands, reported after the requests and after every poll. Only objects in an
 * archive storage class count; the others are readable already.
 *
 * @param ready      archived objects whose restored copy is readable
 * @param total      archived objects among those asked for
 * @param readyBytes bytes of the ready ones
 * @param totalBytes bytes of all archived ones
 * @param elapsed    time since the retrieval started
 * @since 0.6.0
 */
public record ArchiveProgress(int ready, int total, long readyBytes, long totalBytes, Duration elapsed) {

    /**
     * @return objects still being restored
     * @since 0.6.0
     */
    public int pending() {
        return total - ready;
    }

    /**
     * @return e.g. {@code 3/5 objects (1200 of 2000 bytes) restored after PT2H}
     * @since 0.6.0
     */
    @Override
    public String toString() {
        return ready + "/" + total + " objects (" + readyBytes + " of " + totalBytes + " bytes) restored after "
                + elapsed;
    }
}
