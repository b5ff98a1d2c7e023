package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;

import java.util.OptionalInt;

/**
 * pgBackRest failed with one of its numbered errors ({@code ERROR: [NNN]: ...}). Carries the number, a
 * {@link Kind} that says what went wrong in pgvault's terms, and a message that ends with the remedy. The
 * {@link #code()} classifies it like every pgvault exception: e.g. {@link ErrorCode#DECRYPTION} for a wrong cipher
 * passphrase, {@link ErrorCode#CONFLICT} for a restore target that is not empty.
 *
 * @since 0.1.0
 */
public class PgBackRestException extends ToolException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** pgBackRest's error number, or -1 when it printed none. */
    private final int pgBackRestError;
    /** What went wrong. */
    private final Kind kind;

    /**
     * @param kind            what went wrong
     * @param pgBackRestError pgBackRest's error number ({@code [NNN]}), or -1
     * @param exitCode        the process's exit code, or null
     * @param stderrTail      the redacted tail of standard error
     * @param message         what failed and the remedy, without secrets
     * @param cause           the underlying failure, or null
     * @since 0.1.0
     */
    public PgBackRestException(Kind kind, int pgBackRestError, Integer exitCode, String stderrTail, String message,
            Throwable cause) {
        super(kind.errorCode(), "pgbackrest", exitCode, stderrTail, message, cause);
        this.kind = kind;
        this.pgBackRestError = pgBackRestError;
    }

    /**
     * @return what went wrong
     * @since 0.1.0
     */
    public Kind kind() {
        return kind;
    }

    /**
     * @return pgBackRest's error number, e.g. 95 for {@code [095]}, when it printed one
     * @since 0.1.0
     */
    public OptionalInt pgBackRestError() {
        return pgBackRestError < 0 ? OptionalInt.empty() : OptionalInt.of(pgBackRestError);
    }

    /**
     * @return what to do about it
     * @since 0.1.0
     */
    public String remedy() {
        return kind.remedy();
    }

    /**
     * What went wrong, with the remedy operators apply by hand (the runbook's troubleshooting table as code).
     *
     * @since 0.1.0
     */
    public enum Kind {
        /**
         * [044]/[051], and [028] "do not match the database": the repository belongs to another database system
         * (system-id or version). Never raised for a timeline problem (see {@link #TIMELINE}).
         */
        STANZA_MISMATCH(ErrorCode.CONFLICT, "the cluster's system identifier or version no longer matches the "
                + "stanza (the cluster was re-created, migrated or upgraded): after a major upgrade run "
                + "stanza-upgrade; for a different cluster run stanza-delete and then stanza-create (this removes "
                + "the stanza's backups: copy them elsewhere first if they are still needed)"),
        /** [055] on an info file: the stanza was never created in this repo. */
        STANZA_MISSING(ErrorCode.NOT_FOUND, "run stanza-create (again after adding a repo to the stanza)"),
        /** [062]: {@code pgbackrest stop} was run for the stanza. */
        STANZA_STOPPED(ErrorCode.CONFLICT, "run `pgbackrest start` for the stanza (it was stopped, e.g. before "
                + "stanza-delete)"),
        /** [040]: a restore target directory is not empty. */
        TARGET_NOT_EMPTY(ErrorCode.CONFLICT, "restore into an empty directory, or restore with delta to reuse "
                + "the files that are already there"),
        /** [038]: PostgreSQL runs on the target data directory. */
        SERVER_RUNNING(ErrorCode.CONFLICT, "stop PostgreSQL on that data directory first (or restore into a new "
                + "directory)"),
        /** [095]: decryption failed. */
        WRONG_PASSPHRASE(ErrorCode.DECRYPTION, "the repo's cipher passphrase is wrong: use the passphrase the repo "
                + "was created with (repoN-cipher-pass); it cannot be recovered"),
        /** [082]/[087]/[068]: WAL does not reach the repository. */
        ARCHIVING_BROKEN(ErrorCode.TOOL_FAILED, "WAL archiving does not work: check archive_mode=on and that "
                + "archive_command is exactly PgBackRest#archiveCommand(), then pg_stat_archiver and the server log "
                + "for archive-push errors"),
        /** [041]/[047]/[053]/[064]/[083]/[088]: a file or directory cannot be opened or written. */
        PERMISSION(ErrorCode.REPOSITORY, "a file or directory is not accessible to the user pgBackRest runs as: "
                + "run it as the PostgreSQL server's OS user (never root) and fix the owner/mode of the path named"),
        /** [050]: another pgBackRest process holds the stanza's lock. */
        LOCK_HELD(ErrorCode.TOOL_FAILED, "another pgBackRest command is running for this stanza: wait for it, or "
                + "remove a stale lock file in lock-path once no pgbackrest process runs"),
        /** [056]/[057]: pgBackRest cannot connect to or query PostgreSQL. */
        DATABASE_CONNECT(ErrorCode.TOOL_FAILED, "pgBackRest cannot connect to PostgreSQL: check that it runs and "
                + "that pg1-port, pg1-socket-path and pg1-user match the server"),
        /**
         * [049]/[101]/[073], [103] without a more telling cause, [039] for other HTTP failures: the repository cannot
         * be reached.
         */
        REPO_UNREACHABLE(ErrorCode.REPOSITORY, "the repository cannot be reached: check the repo path or S3 "
                + "endpoint, port, bucket, network and TLS settings"),
        /**
         * [039] {@code HTTP request failed with 401/403} from S3 (and 400 naming a signature, key or region), or [105]
         * from a pgBackRest TLS server: the repository refused the credentials.
         */
        REPO_ACCESS_DENIED(ErrorCode.REPOSITORY, "the repository refused access: check the S3 key, secret, region "
                + "and bucket policy (or, for a pgBackRest TLS server, its tls-server-auth list)"),
        /** [075]: the requested backup set does not exist (or none exists). */
        SET_NOT_FOUND(ErrorCode.NOT_FOUND, "choose a set listed by info for that repo (if info lists none, take a "
                + "backup first)"),
        /**
         * [031]/[032]/[037]/[027], [080]/[081] (db-include/db-exclude): pgBackRest rejected an option or its value.
         */
        INVALID_OPTION(ErrorCode.CONFIGURATION, "pgBackRest rejected an option or its value (the message names "
                + "it): check the generated configuration and any pgBackRest settings in the environment or an "
                + "include file against the installed version's documentation"),
        /**
         * [046]; [039] when the local and remote pgBackRest differ: pgBackRest does not support this PostgreSQL
         * version or feature.
         */
        UNSUPPORTED(ErrorCode.CONFIGURATION, "this pgBackRest version does not support the PostgreSQL version or "
                + "feature used: upgrade pgBackRest (to the same version on every host involved)"),
        /**
         * [104]: {@code expire}, {@code archive-push} or {@code annotate} failed on one or more repos; each repo's
         * own error is printed before it (and mapped instead when it is in the output). {@code verify} does not
         * raise it: it reports damaged files in its output.
         */
        COMMAND_FOUND_ERRORS(ErrorCode.TOOL_FAILED, "the command failed on one or more repos: each repo's own error "
                + "is printed before this one (see the stderr tail, or pgBackRest's log in log-path); fix those and "
                + "run it again"),
        /**
         * [058] from restore (pgBackRest 2.55 and later), {@code target timeline ... forked from backup timeline
         * ... which is before backup lsn} or {@code backup timeline ... is not in the history of target timeline};
         * [055] for a missing {@code .history} file; [029] {@code invalid timeline}: the timeline recovery is asked
         * to follow does not contain the backup. The backups are intact.
         *
         * @since 0.2.0
         */
        TIMELINE(ErrorCode.CONFIGURATION, "the restore's target timeline does not contain this backup (the timeline "
                + "forked before the backup was taken, e.g. after a failover or an earlier point-in-time restore); "
                + "the backups are intact, delete nothing: restore with "
                + "PhysicalRestoreRequest.Builder#targetTimeline(TargetTimeline.current()) to stay on the backup's "
                + "timeline, or targetTimeline(TargetTimeline.of(n)) for a timeline whose history includes the "
                + "backup, or choose a set taken on the target timeline (timeline numbers in pgBackRest's message "
                + "are hexadecimal)"),
        /**
         * [058] other than a timeline: the server pgBackRest queried disagrees with pg_control in pg1-path
         * ({@code version ... and path ... queried from cluster do not match}, {@code current checkpoint ... is less
         * than backup start}, {@code WAL timeline ... does not match pg_control timeline}), or a standby changed
         * state during the backup ({@code standby is no longer in recovery}).
         *
         * @since 0.2.0
         */
        SERVER_MISMATCH(ErrorCode.TOOL_FAILED, "the server pgBackRest connected to does not match the data "
                + "directory (or a standby was promoted) while the backup started: check that the cluster's data "
                + "directory (pg1-path) and port/socket (pg1-port, pg1-socket-path) name the same server; after a "
                + "failover or promotion, point them at the current primary, wait for its first checkpoint and run "
                + "the backup again; the stanza and its backups are fine, delete nothing"),
        /**
         * [106] {@code new backup label ... is not later than latest backup label}, or S3's
         * {@code RequestTimeTooSkewed} ([039]): the host's clock or time zone is off.
         *
         * @since 0.2.0
         */
        CLOCK_SKEW(ErrorCode.CONFIGURATION, "the clock (or time zone) of the host running pgBackRest is off: "
                + "synchronize it (NTP/chrony, timedatectl) and run the command again; a new backup's label must be "
                + "later than the newest existing label, and S3 refuses requests signed more than 15 minutes off"),
        /**
         * [075] {@code unable to find backup set with stop time less than ...} (or {@code lsn less than or equal
         * to}): no backup in the repos searched ended before the time or LSN target.
         *
         * @since 0.2.0
         */
        TARGET_BEFORE_OLDEST_BACKUP(ErrorCode.NOT_FOUND, "the recovery target is earlier than the end of the oldest "
                + "backup in the repos searched (pgBackRest compares whole seconds): choose a later target (info "
                + "lists each set's stop time), or another repo that keeps older sets; WAL alone cannot reach back "
                + "before a backup"),
        /**
         * [075] from expire, {@code full backup ... cannot be expired until another full backup has been created on
         * this repo}.
         *
         * @since 0.2.0
         */
        ONLY_FULL_BACKUP(ErrorCode.CONFLICT, "pgBackRest keeps the only full backup of a repo: take another full "
                + "backup in that repo before expiring this one"),
        /**
         * The launcher runs pgBackRest as root (uid 0) and the config does not allow it (checked by pgvault before
         * anything runs, since 0.6.0); or [031] {@code the '...' command must not be run as the root user}
         * (pgBackRest 2.59 and later refuse every command but restore as root).
         *
         * @since 0.2.0
         */
        RUNS_AS_ROOT(ErrorCode.CONFIGURATION, "pgBackRest must not run as root: run it as the PostgreSQL server's OS "
                + "user with PgBackRestConfig.Builder#launcher(Launcher.asUser(\"postgres\")) (runuser from a root "
                + "JVM, sudo otherwise), and chown to that user any file an earlier root run left in the repo, "
                + "log-path, lock-path and config directory; only where that is impossible opt in with "
                + "PgBackRestConfig.Builder#allowRoot(true) (dangerous: files created as root make the server's "
                + "archive-push fail with [041] Permission denied)"),
        /**
         * [045]: a WAL segment already exists in the archive with other content, or in several copies: two clusters
         * archive into one stanza.
         *
         * @since 0.2.0
         */
        DUPLICATE_WAL(ErrorCode.CONFLICT, "two clusters archive into this stanza (a second primary, a promoted "
                + "standby, or a restored copy started without archive-mode=off): stop archiving on the one that "
                + "is not the primary, then run check and take a new full backup; keep the existing WAL"),
        /**
         * [026]: a file does not match its recorded checksum (a restored file, an info file, or pg_control).
         *
         * @since 0.2.0
         */
        CHECKSUM_MISMATCH(ErrorCode.INTEGRITY, "a file does not match its recorded checksum (damaged in the repo or, "
                + "for pg_control, in the cluster): run verify on the repo, restore from another set or repo, take "
                + "a new full backup and check the storage"),
        /**
         * Exit code 63 or [063]: pgBackRest (or one of its worker processes) was stopped by a signal; [102]
         * {@code ... terminated unexpectedly on signal N}.
         *
         * @since 0.2.0
         */
        TERMINATED(ErrorCode.TOOL_FAILED, "pgBackRest or one of its processes was stopped by a signal (SIGTERM, "
                + "SIGINT, SIGKILL from a shutdown, a container stop, an operator or the out-of-memory killer): "
                + "check the system log for the OOM killer, then run the command again"),
        /**
         * [102] other than a signal: pgBackRest could not start or wait for one of its own processes.
         *
         * @since 0.2.0
         */
        PROCESS_FAILED(ErrorCode.TOOL_FAILED, "pgBackRest could not start, or lost track of, one of its own "
                + "processes (a local or remote worker, the async archiver): check the host's process and memory "
                + "limits (ulimit -u, cgroups) and free memory, then run the command again"),
        /**
         * The {@code pgbackrest.conf} a command would read is not the one the facade's configuration renders: it was
         * written for another configuration, edited by hand, or never written. Checked by pgvault before every
         * command, so a stale file is never silently used.
         *
         * @since 0.6.0
         */
        CONFIG_OUT_OF_DATE(ErrorCode.CONFIGURATION, "call PgBackRest#writeConfig() to write the file this "
                + "configuration renders (and keep hand edits out of it: change the PgBackRestConfig instead), then "
                + "run the command again; two configurations must not share one config file"),
        /** Any other numbered error. */
        OTHER(ErrorCode.TOOL_FAILED, "see pgBackRest's message and its log in log-path");

        private final ErrorCode errorCode;
        private final String remedy;

        Kind(ErrorCode errorCode, String remedy) {
            this.errorCode = errorCode;
            this.remedy = remedy;
        }

        /**
         * @return the pgvault classification
         * @since 0.1.0
         */
        public ErrorCode errorCode() {
            return errorCode;
        }

        /**
         * @return what to do about it
         * @since 0.1.0
         */
        public String remedy() {
            return remedy;
        }
    }
}
