package io.pgvault.spi;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A flat object store holding backup objects and manifests. Keys follow {@link ObjectKeys}.
 *
 * <p>Contract (checked by {@code io.pgvault.testkit.RepositoryContract}):
 * <ul>
 *   <li>{@link #put} streams: the producer writes into an {@code OutputStream}; the size need not be known.</li>
 *   <li>{@link #put} is atomic: until it returns, no reader sees the object; if the producer or the store fails,
 *       nothing becomes visible and the previous object under the key, if any, is unchanged.</li>
 *   <li>{@link #open} and {@link #stat} of a missing key: {@code NotFoundException} and empty, never {@code null}.</li>
 *   <li>{@link #delete} is idempotent.</li>
 *   <li>{@link #id()} and {@code toString()} identify the repository without revealing secrets.</li>
 * </ul>
 *
 * @since 0.1.0
 */
public interface Repository {

    /** @return a stable, secret-free identifier, e.g. {@code local:/var/backups/pg} or {@code s3://bucket/prefix} */
    String id();

    /**
     * Writes an object atomically.
     *
     * @param key    where to store it
     * @param writer produces the bytes
     * @return what was stored
     * @throws io.pgvault.api.InvalidKeyException when the key is unsafe
     * @throws io.pgvault.api.RepositoryException when storing fails (nothing is left visible)
     */
    ObjectInfo put(String key, ObjectWriter writer);

    /**
     * @param key object key
     * @return a stream of its bytes; the caller closes it
     * @throws io.pgvault.api.NotFoundException when there is no such object
     */
    InputStream open(String key);

    /**
     * @param key object key
     * @return what is known of the object, or empty when it does not exist
     */
    Optional<ObjectInfo> stat(String key);

    /**
     * @param prefix key prefix ({@code ""} for all); {@code "a/"} lists keys under {@code a/}
     * @return the objects whose key starts with {@code prefix}, sorted by key
     */
    List<ObjectInfo> list(String prefix);

    /**
     * Deletes an object; deleting a missing key is not an error.
     *
     * @param key object key
     */
    void delete(String key);

    /**
     * Lists writes begun under a prefix and never finished (a store whose puts are all-or-nothing in one request has
     * none). The catalog decides which are abandoned: only pgvault's own, of no live writer, older than a grace.
     *
     * @param prefix key prefix ({@code ""} for all of this repository)
     * @return the incomplete writes, whose keys are valid repository keys; empty by default
     * @since 0.5.0
     */
    default List<IncompleteWrite> incompleteWrites(String prefix) {
        return List.of();
    }

    /**
     * Aborts an incomplete write, freeing what it stored; aborting one that is already gone is not an error.
     *
     * @param write one of {@link #incompleteWrites}
     * @since 0.5.0
     */
    default void abortIncompleteWrite(IncompleteWrite write) {
        throw new UnsupportedOperationException(id() + " has no incomplete writes to abort");
    }

    /**
     * Writes an object only if no object exists under the key. Where {@link #putIfAbsentIsAtomic()} is true, two
     * writers racing for one key never both succeed; the default implementation checks and then writes, which a
     * concurrent writer can slip between (a store that offers no conditional write, such as Google Drive, says so).
     *
     * @param key    where to store it
     * @param writer produces the bytes
     * @return what was stored, or empty when an object already existed (nothing was written)
     * @throws io.pgvault.api.RepositoryException when storing fails (nothing is left visible)
     * @since 0.3.0
     */
    default Optional<ObjectInfo> putIfAbsent(String key, ObjectWriter writer) {
        if (stat(key).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(put(key, writer));
    }

    /**
     * @return whether {@link #putIfAbsent} is atomic against other writers, in any process; default {@code false}
     * @since 0.3.0
     */
    default boolean putIfAbsentIsAtomic() {
        return false;
    }

    /**
     * Makes objects readable before they are opened, where the store needs that and was told it may: an S3 repository
     * set up to retrieve archived objects requests their retrieval from Glacier and waits until they are readable. A
     * restore calls it with every key of the set before it reads any. Does nothing by default (and in a store left
     * at its defaults): an unreadable object then fails when it is opened.
     *
     * @param keys the objects about to be read
     * @throws io.pgvault.api.NotFoundException when one of them does not exist (implementations that check)
     * @throws io.pgvault.api.RepositoryException when they cannot be made readable, or not in the time allowed
     * @since 0.6.0
     */
    default void prepareRead(Collection<String> keys) {
        // nothing to prepare: objects are readable as stored
    }
}
