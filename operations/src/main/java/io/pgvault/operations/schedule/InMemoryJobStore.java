package io.pgvault.operations.schedule;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** {@link JobStore#inMemory()}: the latest handled fire and the open claims per job, behind one lock. */
final class InMemoryJobStore implements JobStore {
    private final Map<String, Instant> fires = new HashMap<>();
    private final Map<String, java.util.NavigableSet<Instant>> claims = new HashMap<>();

    @Override
    public synchronized Optional<Instant> lastFire(String job) {
        return Optional.ofNullable(fires.get(job));
    }

    @Override
    public synchronized void record(JobResult result) {
        Instant fire = fires.merge(result.job(), result.scheduledFor(), (a, b) -> a.isAfter(b) ? a : b);
        // claims of older fires are refused by the recorded fire from now on
        Set<Instant> open = claims.get(result.job());
        if (open != null) {
            open.removeIf(fire::isAfter);
        }
    }

    @Override
    public synchronized boolean claim(String job, Instant fire, String claimant) {
        Instant last = fires.get(job);
        if (last != null && !last.isBefore(fire)) {
            return false;
        }
        java.util.NavigableSet<Instant> claimed = claims.computeIfAbsent(job, j -> new TreeSet<>());
        if (claimed.ceiling(fire) != null) { // this fire, or a later one, is claimed: this one is superseded
            return false;
        }
        return claimed.add(fire);
    }

    @Override
    public String toString() {
        return "JobStore[in memory]";
    }
}
