package io.pgvault.storage.s3;

import java.util.List;

/**
 * Archived objects were still being restored when the wait ended ({@link ArchiveRetrieval#timeout()}). The retrieval
 * requests stay in force at S3, so running the same restore again later is safe: objects being restored get no new
 * request (nor do restored ones, unless their copy could expire before the read: that request only extends it), and it
 * goes on waiting where this one stopped. Reason
 * {@link S3RepositoryException.Reason#ARCHIVE_RETRIEVAL_PENDING}; {@link #retryable()} is {@code true}.
 *
 * @since 0.6.0
 */
public class ArchiveRetrievalTimeoutException extends S3RepositoryException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The archived objects asked for. */
    private final int total;
    /** The keys still being restored. */
    private final List<String> pending;

    /**
     * @param message what was being waited for, naming the repository, how many objects are pending and the remedy
     * @param total   archived objects asked for
     * @param pending keys still being restored
     * @since 0.6.0
     */
    public ArchiveRetrievalTimeoutException(String message, int total, List<String> pending) {
        super(Reason.ARCHIVE_RETRIEVAL_PENDING, message, null);
        this.total = total;
        this.pending = List.copyOf(pending);
    }

    /**
     * @return how many archived objects were asked for
     * @since 0.6.0
     */
    public int total() {
        return total;
    }

    /**
     * @return the keys still being restored when the wait ended
     * @since 0.6.0
     */
    public List<String> pending() {
        return pending;
    }
}
