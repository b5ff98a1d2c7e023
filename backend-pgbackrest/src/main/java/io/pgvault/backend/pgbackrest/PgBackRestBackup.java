package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One backup as {@code pgbackrest info --output=json} describes it. {@link #toBackupSet(String)} gives pgvault's
 * common view (the label is the {@link BackupId}: labels such as {@code 20261121-101010F_20261121-102020I} are valid
 * ids), with the pgBackRest facts in attributes named by the constants below.
 *
 * @param label      the set's label, e.g. {@code 20261121-101010F}
 * @param type       FULL, DIFF or INCR
 * @param repo       the repo index it lives in
 * @param prior      the set it was taken against (DIFF/INCR)
 * @param reference  every set whose files it references
 * @param startedAt  when it started
 * @param stoppedAt  when it stopped
 * @param walStart   the first WAL segment it needs
 * @param walStop    the last WAL segment it needs
 * @param lsnStart   the start LSN
 * @param lsnStop    the stop LSN
 * @param size       the size of the cluster it copied
 * @param delta      the bytes it copied (for DIFF/INCR less than {@code size})
 * @param repoSize   the size in the repo, compressed
 * @param repoDelta  the bytes it added to the repo: {@link BackupSet#storedBytes()} of {@link #toBackupSet} (since
 *                   0.6.0; for a full equal to {@code repoSize})
 * @param error      whether pgBackRest found page checksum errors while copying (the set is still complete and
 *                   restorable: pgBackRest copies the pages as they are, and a restore gives back exactly what the
 *                   cluster held; {@link PgBackRest#checksumErrors} names the files)
 * @param pgVersion  the PostgreSQL version of the stanza's database at the time
 * @param systemId   the database system identifier at the time
 * @since 0.1.0
 */
public record PgBackRestBackup(String label, BackupType type, int repo, Optional<String> prior,
        List<String> reference, Instant startedAt, Instant stoppedAt, Optional<String> walStart,
        Optional<String> walStop, Optional<String> lsnStart, Optional<String> lsnStop, long size, long delta,
        long repoSize, long repoDelta, boolean error, Optional<String> pgVersion, Optional<String> systemId) {

    /** Strategy name recorded in {@link BackupSet#strategy()}. @since 0.1.0 */
    public static final String STRATEGY = "pgbackrest";
    /** Attribute: the repo index. @since 0.1.0 */
    public static final String REPO = "pgbackrest.repo";
    /** Attribute: the referenced labels, comma-separated. @since 0.1.0 */
    public static final String REFERENCE = "pgbackrest.reference";
    /** Attribute: first WAL segment needed. @since 0.1.0 */
    public static final String WAL_START = "pgbackrest.wal.start";
    /** Attribute: last WAL segment needed. @since 0.1.0 */
    public static final String WAL_STOP = "pgbackrest.wal.stop";
    /** Attribute: start LSN. @since 0.1.0 */
    public static final String LSN_START = "pgbackrest.lsn.start";
    /** Attribute: stop LSN. @since 0.1.0 */
    public static final String LSN_STOP = "pgbackrest.lsn.stop";
    /** Attribute: cluster size in bytes. @since 0.1.0 */
    public static final String SIZE = "pgbackrest.size";
    /** Attribute: bytes copied. @since 0.1.0 */
    public static final String DELTA = "pgbackrest.delta";
    /** Attribute: bytes in the repo. @since 0.1.0 */
    public static final String REPO_SIZE = "pgbackrest.repo.size";
    /** Attribute: bytes added to the repo. @since 0.1.0 */
    public static final String REPO_DELTA = "pgbackrest.repo.delta";
    /** Attribute: {@code true} when pgBackRest reported checksum errors. @since 0.1.0 */
    public static final String ERROR = "pgbackrest.error";
    /**
     * Attribute: how many files pgBackRest flagged for page checksum errors (set by {@link PgBackRest#list} and
     * {@link PgBackRest#info} for flagged sets).
     *
     * @since 0.2.0
     */
    public static final String ERROR_FILES = "pgbackrest.error.files";
    /** Attribute: PostgreSQL version. @since 0.1.0 */
    public static final String PG_VERSION = "pgbackrest.pg.version";
    /** Attribute: database system identifier. @since 0.1.0 */
    public static final String SYSTEM_ID = "pgbackrest.pg.system-id";

    /** Validates and copies the components. */
    public PgBackRestBackup {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(type, "type");
        prior = prior == null ? Optional.empty() : prior;
        reference = reference == null ? List.of() : List.copyOf(reference);
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(stoppedAt, "stoppedAt");
        walStart = walStart == null ? Optional.empty() : walStart;
        walStop = walStop == null ? Optional.empty() : walStop;
        lsnStart = lsnStart == null ? Optional.empty() : lsnStart;
        lsnStop = lsnStop == null ? Optional.empty() : lsnStop;
        pgVersion = pgVersion == null ? Optional.empty() : pgVersion;
        systemId = systemId == null ? Optional.empty() : systemId;
    }

    /**
     * @return the label as a backup id
     * @since 0.1.0
     */
    public BackupId id() {
        return BackupId.of(label);
    }

    /**
     * @param stanza the stanza ({@link BackupSet#source()})
     * @return pgvault's common view: COMPLETE (pgBackRest lists only complete sets; one flagged for page checksum
     *         errors is complete and restorable too, with {@link #ERROR} {@code true}, and retention keeps it like
     *         any other); DIFF/INCR depend on their prior
     * @since 0.1.0
     */
    public BackupSet toBackupSet(String stanza) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(REPO, Integer.toString(repo));
        if (!reference.isEmpty()) {
            a.put(REFERENCE, String.join(",", reference));
        }
        walStart.ifPresent(v -> a.put(WAL_START, v));
        walStop.ifPresent(v -> a.put(WAL_STOP, v));
        lsnStart.ifPresent(v -> a.put(LSN_START, v));
        lsnStop.ifPresent(v -> a.put(LSN_STOP, v));
        a.put(SIZE, Long.toString(size));
        a.put(DELTA, Long.toString(delta));
        a.put(REPO_SIZE, Long.toString(repoSize));
        a.put(REPO_DELTA, Long.toString(repoDelta));
        // what the set itself stores, and what expiring it frees: for a full its repository size, for a DIFF/INCR the
        // bytes it added (its repository size counts files of the sets it references)
        a.put(BackupSet.STORED_BYTES, Long.toString(repoDelta));
        a.put(ERROR, Boolean.toString(error));
        pgVersion.ifPresent(v -> a.put(PG_VERSION, v));
        systemId.ifPresent(v -> a.put(SYSTEM_ID, v));
        Instant stop = stoppedAt.isBefore(startedAt) ? startedAt : stoppedAt;
        return new BackupSet(id(), STRATEGY, type, BackupStatus.COMPLETE, stanza,
                startedAt, stop, type == BackupType.FULL ? Optional.empty() : prior.map(BackupId::of), List.of(), a,
                Optional.empty());
    }
}
