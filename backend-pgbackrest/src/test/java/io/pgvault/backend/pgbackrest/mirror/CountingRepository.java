package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import io.pgvault.testkit.ForwardingRepository;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts puts per key over a real repository, and can fail every put after a number of them (a dying target). */
final class CountingRepository extends ForwardingRepository {
    final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();
    private volatile int failAfter = Integer.MAX_VALUE;
    private volatile java.util.function.Predicate<String> failKeys = k -> false;
    private final AtomicInteger accepted = new AtomicInteger();

    CountingRepository(Repository inner) {
        super(inner);
    }

    /** Every put after the next {@code n} fails, as a network or quota failure would. */
    void failAfter(int n) {
        accepted.set(0);
        failAfter = n;
    }

    /** Every put of a key the predicate accepts fails (e.g. only the set records). */
    void failWhen(java.util.function.Predicate<String> keys) {
        failKeys = keys;
    }

    void heal() {
        failAfter = Integer.MAX_VALUE;
        failKeys = k -> false;
    }

    int totalPuts() {
        return puts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    void reset() {
        puts.clear();
    }

    @Override
    public String id() {
        return "counting:" + super.id();
    }

    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        if (failKeys.test(key) || accepted.incrementAndGet() > failAfter) {
            throw new RepositoryException("injected: the target stopped accepting uploads", null);
        }
        ObjectInfo info = super.put(key, writer);
        puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return info;
    }
}
