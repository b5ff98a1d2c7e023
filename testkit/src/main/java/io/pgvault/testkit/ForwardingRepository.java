package io.pgvault.testkit;

import io.pgvault.spi.IncompleteWrite;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Repository} that hands every call to another one, for tests that wrap a real repository to count, record
 * or inject failures: a subclass overrides only the methods it changes and calls {@code super} (or
 * {@link #delegate()}) to go on.
 *
 * <pre>{@code
 * Repository dying = new ForwardingRepository(LocalRepository.at(dir)) {
 *     @Override
 *     public ObjectInfo put(String key, ObjectWriter writer) {
 *         throw new RepositoryException("injected: the disk is gone", null);
 *     }
 * };
 * }</pre>
 *
 * <p>{@link #putIfAbsent} is deliberately <em>not</em> forwarded: it keeps {@link Repository}'s default (a stat, then
 * {@link #put}), so a subclass that overrides {@code put} sees every write, manifests and claims included, and
 * {@link #putIfAbsentIsAtomic()} says {@code false}. A wrapper that must keep the delegate's atomic create-only write
 * overrides both.
 *
 * @since 0.2.0
 */
public abstract class ForwardingRepository implements Repository {
    private final Repository delegate;

    /**
     * @param delegate the repository every call goes to
     * @since 0.2.0
     */
    protected ForwardingRepository(Repository delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * @return the repository every call goes to
     * @since 0.2.0
     */
    protected final Repository delegate() {
        return delegate;
    }

    /**
     * @return the delegate's id
     * @since 0.2.0
     */
    @Override
    public String id() {
        return delegate.id();
    }

    /**
     * @param key    the object's key
     * @param writer writes its bytes
     * @return what the delegate stored
     * @since 0.2.0
     */
    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        return delegate.put(key, writer);
    }

    /**
     * @param key the object's key
     * @return the delegate's stream of it
     * @since 0.2.0
     */
    @Override
    public InputStream open(String key) {
        return delegate.open(key);
    }

    /**
     * @param key the object's key
     * @return what the delegate knows of it
     * @since 0.2.0
     */
    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    /**
     * @param prefix a key prefix
     * @return the delegate's objects under it
     * @since 0.2.0
     */
    @Override
    public List<ObjectInfo> list(String prefix) {
        return delegate.list(prefix);
    }

    /**
     * @param key the object's key
     * @since 0.2.0
     */
    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    /**
     * @param prefix the prefix under which to look
     * @return the delegate's incomplete writes (a wrapped S3 repository's multipart uploads)
     * @since 0.6.0
     */
    @Override
    public List<IncompleteWrite> incompleteWrites(String prefix) {
        return delegate.incompleteWrites(prefix);
    }

    /**
     * @param write one of {@link #incompleteWrites}
     * @since 0.6.0
     */
    @Override
    public void abortIncompleteWrite(IncompleteWrite write) {
        delegate.abortIncompleteWrite(write);
    }

    /**
     * @param keys every key a restore is about to read (a wrapped S3 repository may bring archived objects back)
     * @since 0.6.0
     */
    @Override
    public void prepareRead(Collection<String> keys) {
        delegate.prepareRead(keys);
    }
}
