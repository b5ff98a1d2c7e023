package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per job, the latest fire time that was handled (run, failed, or skipped as missed), so that a restarted
 * service knows which fires it missed, and replicas know which fires another replica already ran.
 *
 * <ul>
 *   <li>{@link #inMemory()} — the default; a restart forgets, so fires missed while down are not seen;</li>
 *   <li>{@link #file(Path)} — one service instance: a small properties file, replaced atomically;</li>
 *   <li>{@link #postgres(ConnectionSource)} — several replicas: a table in the guarded database, read again under
 *       the job's advisory lock so a fire is run once even when replicas tick at different moments.</li>
 * </ul>
 *
 * @since 0.2.0
 */
public interface JobStore {

    /**
     * @param job a job's name
     * @return the latest fire time recorded for it, if any
     */
    Optional<Instant> lastFire(String job);

    /**
     * Records a handled fire. A fire older than the one recorded does not move the record back.
     *
     * @param result the fire's outcome
     */
    void record(JobResult result);

    /** @return a store that lives as long as this object */
    static JobStore inMemory() {
        Map<String, Instant> fires = new ConcurrentHashMap<>();
        return new JobStore() {
            @Override
            public Optional<Instant> lastFire(String job) {
                return Optional.ofNullable(fires.get(job));
            }

            @Override
            public void record(JobResult result) {
                fires.merge(result.job(), result.scheduledFor(), (a, b) -> a.isAfter(b) ? a : b);
            }

            @Override
            public String toString() {
                return "JobStore[in memory]";
            }
        };
    }

    /**
     * @param file a properties file (created when missing; its directory must exist)
     * @return a store in that file
     */
    static JobStore file(Path file) {
        return new FileJobStore(file);
    }

    /**
     * @param source the database shared by all replicas (normally the guarded one)
     * @return a store in table {@value PostgresJobStore#DEFAULT_TABLE}, created when missing
     */
    static JobStore postgres(ConnectionSource source) {
        return new PostgresJobStore(source, PostgresJobStore.DEFAULT_TABLE);
    }
}
