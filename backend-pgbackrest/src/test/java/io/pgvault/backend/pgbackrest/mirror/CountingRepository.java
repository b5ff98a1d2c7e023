package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts puts per key over a real repository, and can fail every put after a number of them (a dying target). */
final class CountingRepository implements Repository {
    final Repository inner;
    final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();
    private volatile int failAfter = Integer.MAX_VALUE;
    private final AtomicInteger accepted = new AtomicInteger();

    CountingRepository(Repository inner) {
        this.inner = inner;
    }

    /** Every put after the next {@code n} fails, as a network or quota failure would. */
    void failAfter(int n) {
        accepted.set(0);
        failAfter = n;
    }

    void heal() {
        failAfter = Integer.MAX_VALUE;
    }

    int totalPuts() {
        return puts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    void reset() {
        puts.clear();
    }

    @Override
    public String id() {
        return "counting:" + inner.id();
    }

    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        if (accepted.incrementAndGet() > failAfter) {
            throw new RepositoryException("injected: the target stopped accepting uploads", null);
        }
        ObjectInfo info = inner.put(key, writer);
        puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return info;
    }

    @Override
    public InputStream open(String key) {
        return inner.open(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return inner.stat(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return inner.list(prefix);
    }

    @Override
    public void delete(String key) {
        inner.delete(key);
    }
}
