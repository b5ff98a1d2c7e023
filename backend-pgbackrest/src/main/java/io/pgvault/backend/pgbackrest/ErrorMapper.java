package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a failed pgBackRest run into a {@link PgBackRestException} by its {@code ERROR: [NNN]: message} line. */
final class ErrorMapper {
    private static final Pattern ERROR = Pattern.compile("ERROR: \\[(\\d{3})]: ([^\\n]*)");

    private ErrorMapper() {
    }

    /**
     * @param e       the runner's failure
     * @param command the pgBackRest command, e.g. {@code backup}
     * @param stanza  the stanza
     * @return a typed exception, or {@code e} itself when pgBackRest printed no numbered error (missing binary,
     *         timeout)
     */
    static ToolException map(ToolException e, String command, String stanza) {
        if (e.code() == ErrorCode.TOOL_MISSING || e.code() == ErrorCode.TIMEOUT) {
            return e;
        }
        String tail = e.stderrTail();
        Matcher m = ERROR.matcher(tail);
        if (!m.find()) {
            return e;
        }
        int number = Integer.parseInt(m.group(1));
        String message = m.group(2).strip();
        PgBackRestException.Kind kind = kind(number, message, tail);
        return new PgBackRestException(kind, number, e.exitCode().orElse(null), tail,
                "pgbackrest " + command + " for stanza " + stanza + " failed with [" + m.group(1) + "] " + message
                        + ": " + kind.remedy(), e);
    }

    static PgBackRestException.Kind kind(int number, String message, String tail) {
        return switch (number) {
            case 44, 51, 58 -> PgBackRestException.Kind.STANZA_MISMATCH;
            case 28 -> tail.contains("do not match the database") ? PgBackRestException.Kind.STANZA_MISMATCH
                    : PgBackRestException.Kind.OTHER;
            case 55 -> tail.contains("stanza-create") || message.contains(".info")
                    ? PgBackRestException.Kind.STANZA_MISSING : PgBackRestException.Kind.OTHER;
            case 62 -> PgBackRestException.Kind.STANZA_STOPPED;
            case 40 -> PgBackRestException.Kind.TARGET_NOT_EMPTY;
            case 38 -> PgBackRestException.Kind.SERVER_RUNNING;
            case 95 -> PgBackRestException.Kind.WRONG_PASSPHRASE;
            case 82, 87, 68 -> PgBackRestException.Kind.ARCHIVING_BROKEN;
            case 41, 47, 53, 64, 83, 88 -> PgBackRestException.Kind.PERMISSION;
            case 50 -> PgBackRestException.Kind.LOCK_HELD;
            case 56, 57 -> PgBackRestException.Kind.DATABASE_CONNECT;
            case 49, 101, 103, 73 -> PgBackRestException.Kind.REPO_UNREACHABLE;
            case 105 -> PgBackRestException.Kind.REPO_ACCESS_DENIED;
            case 75 -> PgBackRestException.Kind.SET_NOT_FOUND;
            case 27, 31, 32, 37 -> PgBackRestException.Kind.INVALID_OPTION;
            case 46 -> PgBackRestException.Kind.UNSUPPORTED;
            case 104 -> PgBackRestException.Kind.COMMAND_FOUND_ERRORS;
            default -> PgBackRestException.Kind.OTHER;
        };
    }
}
