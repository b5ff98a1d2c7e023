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

    private ErrorMapper() {
    }

    /**
     * @param e         the runner's failure
     * @param command   the pgBackRest command, e.g. {@code backup}
     * @param stanza    the stanza
     * @param encrypted whether any repo of the stanza is encrypted (an undecryptable info file then means a wrong
     *                  passphrase)
     * @return a typed exception, or {@code e} itself when pgBackRest printed no numbered error (timeout)
     */
    static ToolException map(ToolException e, String command, String stanza, boolean encrypted) {
        if (e.code() == ErrorCode.TIMEOUT) {
            return e;
        }
        String tail = sanitize(e.stderrTail());
        Matcher m = ERROR.matcher(tail);
        if (!m.find()) {
            return e;
        }
        int number = Integer.parseInt(m.group(1));
        String message = m.group(2).strip();
        PgBackRestException.Kind kind = kind(number, message, tail, encrypted);
        return new PgBackRestException(kind, number, e.exitCode().orElse(null), tail,
                "pgbackrest " + command + " for stanza " + stanza + " failed with [" + m.group(1) + "] " + message
                        + ": " + kind.remedy(), e);
    }

    /**
     * @return whether a run that printed no pgBackRest error failed because the launcher could not execute the
     *         program (runuser, sudo, docker exec and ssh each say so in their own words)
     */
    static boolean programMissing(ToolException e) {
        return e.code() == ErrorCode.TOOL_MISSING
                || !e.stderrTail().contains("ERROR: [") && MISSING.matcher(e.stderrTail()).find();
    }

    static PgBackRestException.Kind kind(int number, String message, String tail, boolean encrypted) {
        return switch (number) {
            case 44, 51, 58 -> PgBackRestException.Kind.STANZA_MISMATCH;
            case 28 -> tail.contains("do not match the database") ? PgBackRestException.Kind.STANZA_MISMATCH
                    : PgBackRestException.Kind.OTHER;
            case 29 -> encrypted && tail.contains("unable to load info file")
                    ? PgBackRestException.Kind.WRONG_PASSPHRASE : PgBackRestException.Kind.OTHER;
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
            case 27 -> tail.contains("DbConnectError") ? PgBackRestException.Kind.DATABASE_CONNECT
                    : PgBackRestException.Kind.INVALID_OPTION;
            case 49, 101, 103, 73 -> PgBackRestException.Kind.REPO_UNREACHABLE;
            case 105 -> PgBackRestException.Kind.REPO_ACCESS_DENIED;
            case 75 -> encrypted && tail.contains("FormatError") && tail.contains("unable to load info file")
                    ? PgBackRestException.Kind.WRONG_PASSPHRASE : PgBackRestException.Kind.SET_NOT_FOUND;
            case 31, 32, 37 -> PgBackRestException.Kind.INVALID_OPTION;
            case 46 -> PgBackRestException.Kind.UNSUPPORTED;
            case 104 -> PgBackRestException.Kind.COMMAND_FOUND_ERRORS;
            default -> PgBackRestException.Kind.OTHER;
        };
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
