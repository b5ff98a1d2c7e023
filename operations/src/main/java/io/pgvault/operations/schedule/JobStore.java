package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Remembers, per job, the latest fire time that was handled (run, failed, or skipped as missed), so that a restarted
 * service knows which fires it missed, and replicas know which fires another replica already ran.
 *
 * <ul>
 *   <li>{@link #inMemory()} — the default; a restart forgets, so fires missed while down are not seen;</li>
 *   <li>{@link #file(Path)} — one service instance: a small properties file, replaced atomically, and a directory of
 *       claims beside it;</li>
 *   <li>{@link #postgres(ConnectionSource)} — several replicas: a table in the guarded database, read again under
 *       the job's advisory lock so a fire is run once even when replicas tick at different moments, and a table of
 *       claims.</li>
 * </ul>
 *
 * <p>Since 0.3.0 the scheduler also {@link #claim claims} each fire before it runs, so that a replica that takes the
 * lock after the runner lost it finds the fire taken even though its outcome is not recorded yet.
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

    /**
     * Claims a fire before it runs, so that no other runner — another replica that takes the job's lock later, or
     * this process after a restart — runs it again. A fire can be claimed once: the claim fails when the same job and
     * fire time were claimed before, or when a fire at or after it is recorded as handled. A claimed fire whose runner
     * died is not run again (each fire runs at most once); the next fire runs as usual.
     *
     * <p>The stores built here claim atomically (a create-only key). The default, for stores written before 0.3.0,
     * only compares with {@link #lastFire(String)} and is <em>not</em> atomic: override it.
     *
     * @param job      a job's name
     * @param fire     the fire time about to run
     * @param claimant who claims it, kept for diagnosis (e.g. a scheduler and its process), never a secret
     * @return whether this call claimed the fire
     * @throws io.pgvault.api.PgVaultException when the store cannot be read or written; the fire must not run then
     * @since 0.3.0
     */
    default boolean claim(String job, Instant fire, String claimant) {
        return lastFire(job).map(last -> last.isBefore(fire)).orElse(true);
    }

    /** @return a store that lives as long as this object */
    static JobStore inMemory() {
        return new InMemoryJobStore();
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
     * @return a store in tables {@value PostgresJobStore#DEFAULT_TABLE} and (since 0.3.0) {@value
     *         PostgresJobStore#DEFAULT_CLAIMS_TABLE}, created when missing
     */
    static JobStore postgres(ConnectionSource source) {
        return new PostgresJobStore(source, PostgresJobStore.DEFAULT_TABLE, PostgresJobStore.DEFAULT_CLAIMS_TABLE);
    }
}
