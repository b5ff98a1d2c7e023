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
        /** [044]/[051]/[058]: the repository belongs to another database system (system-id or version). */
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
        /** [049]/[101]/[103]/[073]: the repository cannot be reached. */
        REPO_UNREACHABLE(ErrorCode.REPOSITORY, "the repository cannot be reached: check the repo path or S3 "
                + "endpoint, port, network and TLS settings"),
        /** [105]: the repository refused the credentials. */
        REPO_ACCESS_DENIED(ErrorCode.REPOSITORY, "the repository refused access: check the S3 key, secret, region "
                + "and bucket policy"),
        /** [075]: the requested backup set does not exist. */
        SET_NOT_FOUND(ErrorCode.NOT_FOUND, "choose a set listed by info for that repo"),
        /** [031]/[032]/[037]/[027]: pgBackRest rejected an option. */
        INVALID_OPTION(ErrorCode.CONFIGURATION, "pgBackRest rejected an option: check the generated configuration "
                + "against the installed version's documentation"),
        /** [046]: pgBackRest does not support this PostgreSQL version or feature. */
        UNSUPPORTED(ErrorCode.CONFIGURATION, "this pgBackRest version does not support the PostgreSQL version or "
                + "feature used: upgrade pgBackRest"),
        /** [104]: a command (usually verify) found errors. */
        COMMAND_FOUND_ERRORS(ErrorCode.INTEGRITY, "inspect the listed problems: a backup or WAL file is damaged or "
                + "missing"),
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
