package io.pgvault.examples.tiers;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import io.pgvault.testkit.ForwardingRepository;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real repository to count what is stored under each key, and to simulate the process being killed: after a
 * given number of successful object puts, the next put throws {@link Killed}, an {@link Error} nothing in pgvault
 * catches, so no cleanup runs after it, as with {@code kill -9} between two objects. Backup objects are counted;
 * the tier's journal entries (re-encoded copies) are not.
 */
final class RecordingRepository extends ForwardingRepository {
    /** Stands for the process dying. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed(String message) {
            super(message);
        }
    }

    private final Map<String, AtomicInteger> puts;
    private final int killAfter;
    private final AtomicInteger dataPuts = new AtomicInteger();

    /**
     * @param puts      counts shared across "processes"
     * @param killAfter backup objects stored under {@code data/} allowed before the simulated kill; negative never kills
     */
    RecordingRepository(Repository delegate, Map<String, AtomicInteger> puts, int killAfter) {
        super(delegate);
        this.puts = puts;
        this.killAfter = killAfter;
    }

    static Map<String, AtomicInteger> counts() {
        return new ConcurrentHashMap<>();
    }

    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        boolean object = key.startsWith("data/") && !key.contains("/_tier-journal/");
        if (object && killAfter >= 0 && dataPuts.get() >= killAfter) {
            throw new Killed("process killed before storing " + key);
        }
        ObjectInfo info = super.put(key, writer);
        if (object) {
            dataPuts.incrementAndGet();
        }
        puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return info;
    }

    @Override
    public String toString() {
        return "Recording[" + id() + "]";
    }
}
