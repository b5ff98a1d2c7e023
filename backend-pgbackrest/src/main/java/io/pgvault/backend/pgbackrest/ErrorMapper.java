package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a failed pgBackRest run into a {@link PgBackRestException} by its {@code ERROR: [NNN]: message} line. */
final class ErrorMapper {
    private static final Pattern ERROR = Pattern.compile("ERROR: \\[(\\d{3})]: ([^\\n]*)");
    private static final Pattern MISSING = Pattern.compile("failed to execute|command not found|executable file not "
            + "found|No such file or directory|Permission denied");
    private static final Pattern GARBAGE = Pattern.compile("(found outside of section at line \\d+:).*");
    /** A repo's own error inside a summary, e.g. {@code repo2: [FileOpenError] unable to open ...}. */
    private static final Pattern REPO_ERROR = Pattern.compile("repo\\d+: \\[(\\w+)] ([^\\n]*)");
    private static final Pattern HTTP_STATUS = Pattern.compile("HTTP request failed with (\\d{3})");
    /** S3's error codes for a 400 that is about credentials or region, not the request. */
    private static final Pattern S3_AUTH = Pattern.compile("SignatureDoesNotMatch|InvalidAccessKeyId|"
            + "AuthorizationHeaderMalformed|InvalidToken|ExpiredToken|region");
    /** pgBackRest's exit code after a signal (TermError); it prints no numbered error then. */
    private static final int TERMINATED_EXIT = 63;

    private ErrorMapper() {
    }

    /**
     * @param e         the runner's failure
     * @param command   the pgBackRest command, e.g. {@code backup}
     * @param stanza    the stanza
     * @param encrypted whether any repo of the stanza is encrypted (an undecryptable info file then means a wrong
     *                  passphrase)
     * @return a typed exception, or {@code e} itself when pgBackRest printed no numbered error (timeout) and was not
     *         stopped by a signal
     */
    static ToolException map(ToolException e, String command, String stanza, boolean encrypted) {
        if (e.code() == ErrorCode.TIMEOUT) {
            return e;
        }
        String tail = sanitize(e.stderrTail());
        Matcher m = ERROR.matcher(tail);
        if (!m.find()) {
            return terminated(e, command, stanza, tail);
        }
        int number = Integer.parseInt(m.group(1));
        String message = m.group(2).strip();
        PgBackRestException.Kind kind = kind(number, message, tail, encrypted);
        return new PgBackRestException(kind, number, e.exitCode().orElse(null), tail,
                "pgbackrest " + command + " for stanza " + stanza + " failed with [" + m.group(1) + "] " + message
                        + ": " + kind.remedy(), e);
    }

    /** A signal ends pgBackRest with exit code 63 (TermError) and an INFO line, not a numbered error. */
    private static ToolException terminated(ToolException e, String command, String stanza, String tail) {
        if (e.exitCode().filter(c -> c == TERMINATED_EXIT).isEmpty()) {
            return e;
        }
        PgBackRestException.Kind kind = PgBackRestException.Kind.TERMINATED;
        return new PgBackRestException(kind, TERMINATED_EXIT, TERMINATED_EXIT, tail, "pgbackrest " + command
                + " for stanza " + stanza + " was terminated by a signal (exit code 63): " + kind.remedy(), e);
    }

    /**
     * @return whether a run that printed no pgBackRest error failed because the launcher could not execute the
     *         program (runuser, sudo, docker exec and ssh each say so in their own words)
     */
    static boolean programMissing(ToolException e) {
        return e.code() == ErrorCode.TOOL_MISSING
                || !e.stderrTail().contains("ERROR: [") && MISSING.matcher(e.stderrTail()).find();
    }

    /**
     * Maps a numbered error to its kind. One number can mean several things (pgBackRest's src/build/error/error.yaml
     * names a class, not a cause), so the message decides where it must: the texts matched here are quoted from
     * pgBackRest 2.45 to 2.59's source (file names in ErrorMapperTest).
     */
    static PgBackRestException.Kind kind(int number, String message, String tail, boolean encrypted) {
        return switch (number) {
            case 44, 51 -> PgBackRestException.Kind.STANZA_MISMATCH;
            case 58 -> dbMismatch(tail);
            case 28 -> tail.contains("do not match the database") ? PgBackRestException.Kind.STANZA_MISMATCH
                    : PgBackRestException.Kind.OTHER;
            case 29 -> formatError(tail, encrypted);
            case 55 -> missingFile(message, tail);
            case 62 -> PgBackRestException.Kind.STANZA_STOPPED;
            case 40 -> PgBackRestException.Kind.TARGET_NOT_EMPTY;
            case 38 -> PgBackRestException.Kind.SERVER_RUNNING;
            case 95 -> PgBackRestException.Kind.WRONG_PASSPHRASE;
            case 82, 87, 68 -> PgBackRestException.Kind.ARCHIVING_BROKEN;
            case 41, 47, 53, 64, 83, 88 -> PgBackRestException.Kind.PERMISSION;
            case 50 -> PgBackRestException.Kind.LOCK_HELD;
            // [056] also follows a server too new for this pgBackRest (it could not read pg_control): say upgrade
            case 56 -> tail.contains("VersionNotSupportedError") ? PgBackRestException.Kind.UNSUPPORTED
                    : PgBackRestException.Kind.DATABASE_CONNECT;
            case 57 -> PgBackRestException.Kind.DATABASE_CONNECT;
            case 27 -> tail.contains("DbConnectError") ? PgBackRestException.Kind.DATABASE_CONNECT
                    : PgBackRestException.Kind.INVALID_OPTION;
            case 49, 101, 73 -> PgBackRestException.Kind.REPO_UNREACHABLE;
            case 103 -> repoErrors(tail, encrypted, PgBackRestException.Kind.REPO_UNREACHABLE);
            case 104 -> repoErrors(tail, encrypted, PgBackRestException.Kind.COMMAND_FOUND_ERRORS);
            case 105 -> PgBackRestException.Kind.REPO_ACCESS_DENIED;
            case 39 -> protocol(tail);
            case 75 -> backupSetInvalid(tail, encrypted);
            case 31 -> tail.contains("must not be run as the root user") ? PgBackRestException.Kind.RUNS_AS_ROOT
                    : PgBackRestException.Kind.INVALID_OPTION;
            case 32, 37, 80, 81 -> PgBackRestException.Kind.INVALID_OPTION;
            case 46 -> PgBackRestException.Kind.UNSUPPORTED;
            case 45 -> PgBackRestException.Kind.DUPLICATE_WAL;
            case 26 -> PgBackRestException.Kind.CHECKSUM_MISMATCH;
            case 106 -> PgBackRestException.Kind.CLOCK_SKEW;
            case 63 -> PgBackRestException.Kind.TERMINATED;
            case 102 -> tail.contains("terminated unexpectedly on signal") ? PgBackRestException.Kind.TERMINATED
                    : PgBackRestException.Kind.PROCESS_FAILED;
            default -> PgBackRestException.Kind.OTHER;
        };
    }

    /**
     * [058] DbMismatchError: restore's timeline check (2.55+, command/restore/timeline.c), or the server disagreeing
     * with pg_control or a standby changing state (command/check/common.c, db/db.c). None of these is a system-id
     * mismatch, so none may advise stanza-delete.
     */
    private static PgBackRestException.Kind dbMismatch(String tail) {
        if (tail.contains("forked from backup timeline") || tail.contains("is not in the history of target timeline")
                || tail.contains("invalid target timeline")) {
            return PgBackRestException.Kind.TIMELINE;
        }
        if (tail.contains("queried from cluster do not match") || tail.contains("is less than backup start")
                || tail.contains("does not match pg_control timeline") || tail.contains("standby is on timeline")
                || tail.contains("standby is no longer in recovery") || tail.contains("standby checkpoint")) {
            return PgBackRestException.Kind.SERVER_MISMATCH;
        }
        // defensive: should a future version raise 058 for a system-id mismatch, it still is one
        return tail.contains("system-id") ? PgBackRestException.Kind.STANZA_MISMATCH : PgBackRestException.Kind.OTHER;
    }

    /** [029] FormatError: an undecryptable info file, or an unparsable timeline history file. */
    private static PgBackRestException.Kind formatError(String tail, boolean encrypted) {
        if (encrypted && tail.contains("unable to load info file")) {
            return PgBackRestException.Kind.WRONG_PASSPHRASE;
        }
        return tail.contains("invalid timeline") ? PgBackRestException.Kind.TIMELINE : PgBackRestException.Kind.OTHER;
    }

    /** [055] FileMissingError: a stanza's info file, or the history file of the timeline recovery should follow. */
    private static PgBackRestException.Kind missingFile(String message, String tail) {
        if (message.contains(".history'")) {
            return PgBackRestException.Kind.TIMELINE;
        }
        return tail.contains("stanza-create") || message.contains(".info") ? PgBackRestException.Kind.STANZA_MISSING
                : PgBackRestException.Kind.OTHER;
    }

    /** [075] BackupSetInvalidError: restore's set selection (command/restore/select.c.inc), or expire's refusal. */
    private static PgBackRestException.Kind backupSetInvalid(String tail, boolean encrypted) {
        // a wrong key decrypts the info file either to bad padding (CryptoError, about 1 key in 6) or to noise
        // (FormatError): both are the passphrase
        if (encrypted && (tail.contains("FormatError") || tail.contains("CryptoError"))
                && tail.contains("unable to load info file")) {
            return PgBackRestException.Kind.WRONG_PASSPHRASE;
        }
        if (tail.contains("unable to find backup set with stop time less than")
                || tail.contains("unable to find backup set with lsn less than or equal to")) {
            return PgBackRestException.Kind.TARGET_BEFORE_OLDEST_BACKUP;
        }
        return tail.contains("cannot be expired until another full backup")
                ? PgBackRestException.Kind.ONLY_FULL_BACKUP : PgBackRestException.Kind.SET_NOT_FOUND;
    }

    /**
     * [039] ProtocolError: mostly an S3 response pgBackRest cannot handle ({@code HTTP request failed with 403
     * (Forbidden)} with the response body), else a TLS or remote-protocol failure.
     */
    private static PgBackRestException.Kind protocol(String tail) {
        if (tail.contains("RequestTimeTooSkewed")) {
            return PgBackRestException.Kind.CLOCK_SKEW;
        }
        Matcher http = HTTP_STATUS.matcher(tail);
        if (http.find()) {
            int status = Integer.parseInt(http.group(1));
            return status == 401 || status == 403 || status == 400 && S3_AUTH.matcher(tail).find()
                    ? PgBackRestException.Kind.REPO_ACCESS_DENIED : PgBackRestException.Kind.REPO_UNREACHABLE;
        }
        if (tail.contains("greeting key")) {
            return PgBackRestException.Kind.UNSUPPORTED;
        }
        return tail.contains("unexpected TLS eof") ? PgBackRestException.Kind.REPO_UNREACHABLE
                : PgBackRestException.Kind.OTHER;
    }

    /**
     * [103] RepoInvalidError and [104] CommandError sum up per-repo failures ({@code repo2: [FileOpenError] ...}):
     * the first repo error that says more decides, else {@code fallback}.
     */
    private static PgBackRestException.Kind repoErrors(String tail, boolean encrypted,
            PgBackRestException.Kind fallback) {
        Matcher m = REPO_ERROR.matcher(tail);
        while (m.find()) {
            PgBackRestException.Kind kind = switch (m.group(1)) {
                case "ArchiveMismatchError", "BackupMismatchError" -> PgBackRestException.Kind.STANZA_MISMATCH;
                case "ArchiveDuplicateError" -> PgBackRestException.Kind.DUPLICATE_WAL;
                case "FileMissingError" -> m.group(2).contains(".info") ? PgBackRestException.Kind.STANZA_MISSING
                        : PgBackRestException.Kind.OTHER;
                case "ProtocolError" -> protocol(m.group(2));
                default -> infoStatusKind("[" + m.group(1) + "] " + m.group(2), encrypted);
            };
            if (kind != PgBackRestException.Kind.OTHER) {
                return kind;
            }
        }
        return fallback;
    }

    /**
     * Classifies a repo's error status from {@code info} (code 99), e.g.
     * {@code [PathOpenError] unable to list file info for path '...': [13] Permission denied}.
     */
    static PgBackRestException.Kind infoStatusKind(String message, boolean encrypted) {
        if (message.contains("[CryptoError]") || encrypted && message.contains("[FormatError]")
                && message.contains("unable to load info file")) {
            return PgBackRestException.Kind.WRONG_PASSPHRASE;
        }
        if (message.contains("Permission denied") || message.contains("[PathOpenError]")
                || message.contains("[FileOpenError]")) {
            return PgBackRestException.Kind.PERMISSION;
        }
        if (message.contains("[AccessError]")) {
            return PgBackRestException.Kind.REPO_ACCESS_DENIED;
        }
        if (message.contains("[HostConnectError]") || message.contains("[ServiceError]")
                || message.contains("[PathMissingError]")) {
            return PgBackRestException.Kind.REPO_UNREACHABLE;
        }
        return PgBackRestException.Kind.OTHER;
    }

    /**
     * Removes what an info file decrypted with the wrong key turns into (binary noise quoted after "found outside of
     * section at line N:") and any other control character, so messages stay readable and loggable.
     */
    static String sanitize(String text) {
        if (text == null) {
            return "";
        }
        String cut = GARBAGE.matcher(text).replaceAll("$1 (undecodable content omitted)");
        StringBuilder sb = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (c == '\n' || c == '\t' || c >= 0x20 && c != 0x7f && c != 0xfffd && !(c >= 0x80 && c < 0xa0)) {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }
}
