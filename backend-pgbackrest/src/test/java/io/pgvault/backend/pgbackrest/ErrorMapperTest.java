package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Stderr as pgBackRest 2.45 prints it (seen in the integration tests) mapped to kinds with remedies. */
class ErrorMapperTest {
    private static ToolException failed(int exit, String stderr) {
        return new ToolException(ErrorCode.TOOL_FAILED, "pgbackrest", exit, stderr, "pgbackrest failed", null);
    }

    private static PgBackRestException map(String stderr, boolean encrypted) {
        int exit = Integer.parseInt(stderr.replaceAll("(?s).*ERROR: \\[(\\d{3})].*", "$1"));
        return (PgBackRestException) ErrorMapper.map(failed(exit, stderr), "backup", "main", encrypted);
    }

    @Test
    @DisplayName("system-id mismatch says stanza-upgrade or stanza-delete + stanza-create")
    void mismatch() {
        PgBackRestException e = map("ERROR: [044]: PostgreSQL version 15, system-id 7710710227325253864 do not match "
                + "stanza version 15, system-id 7710710156981526534\n       HINT: is this the correct stanza?", false);
        assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.STANZA_MISMATCH);
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("[044]", "system-id", "stanza-upgrade", "stanza-delete", "stanza-create");
        assertThat(e.pgBackRestError()).hasValue(44);
    }

    @Test
    @DisplayName("each listed number maps to its kind and pgvault error code")
    void numbers() {
        assertThat(map("ERROR: [040]: unable to restore to path '/x' because it contains files", false).kind())
                .isEqualTo(PgBackRestException.Kind.TARGET_NOT_EMPTY);
        assertThat(map("ERROR: [095]: unable to flush", true).code()).isEqualTo(ErrorCode.DECRYPTION);
        assertThat(map("ERROR: [082]: WAL segment 000000010000000000000005 was not archived before the 3000ms "
                + "timeout", false).kind()).isEqualTo(PgBackRestException.Kind.ARCHIVING_BROKEN);
        assertThat(map("ERROR: [041]: unable to open file '/r/backup.info' for read: [13] Permission denied", false)
                .code()).isEqualTo(ErrorCode.REPOSITORY);
        assertThat(map("ERROR: [050]: unable to acquire lock on file '/l/main.lock'", false).kind())
                .isEqualTo(PgBackRestException.Kind.LOCK_HELD);
        assertThat(map("ERROR: [056]: unable to connect to 'dbname=postgres port=5432'", false).kind())
                .isEqualTo(PgBackRestException.Kind.DATABASE_CONNECT);
        assertThat(map("WARN: unable to check pg1: [DbConnectError] unable to connect\nERROR: [027]: no database "
                + "found", false).kind()).isEqualTo(PgBackRestException.Kind.DATABASE_CONNECT);
        assertThat(map("ERROR: [049]: unable to get address for 'minio.invalid'", false).kind())
                .isEqualTo(PgBackRestException.Kind.REPO_UNREACHABLE);
        assertThat(map("ERROR: [105]: HTTP request failed with 403 (Forbidden)", false).kind())
                .isEqualTo(PgBackRestException.Kind.REPO_ACCESS_DENIED);
        assertThat(map("ERROR: [055]: unable to load info file '/r/backup/main/backup.info'\n"
                + "       HINT: has a stanza-create been performed?", false).kind())
                .isEqualTo(PgBackRestException.Kind.STANZA_MISSING);
    }

    @Test
    @DisplayName("an info file decrypted with the wrong key is a wrong passphrase; its binary noise is dropped")
    void wrongKeyFormatError() {
        String noise = "\u0001\u00ff\ufffd\u000b" + "\u00e8\u009f";
        PgBackRestException e = map("ERROR: [029]: unable to load info file '/r/backup/main/backup.info' or "
                + "'/r/backup/main/backup.info.copy':\n       FormatError: key/value found outside of section at line 1: "
                + noise + "abc\n       HINT: has a stanza-create been performed?", true);
        assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.WRONG_PASSPHRASE);
        assertThat(e.stderrTail()).contains("(undecodable content omitted)").doesNotContain(noise).doesNotContain("abc");
        assertThat(map("ERROR: [029]: unable to load info file '/r/x.info':\n FormatError: bad", false).kind())
                .isEqualTo(PgBackRestException.Kind.OTHER);
    }

    @Test
    @DisplayName("a launcher that cannot execute pgbackrest is TOOL_MISSING; a timeout stays a timeout")
    void missingAndTimeout() {
        assertThat(ErrorMapper.programMissing(failed(1, "runuser: failed to execute /x/pgbackrest: No such file or "
                + "directory"))).isTrue();
        assertThat(ErrorMapper.programMissing(failed(127, "bash: pgbackrest: command not found"))).isTrue();
        assertThat(ErrorMapper.programMissing(failed(41, "ERROR: [041]: unable to open file: Permission denied")))
                .isFalse();
        ToolException timeout = new ToolException(ErrorCode.TIMEOUT, "pgbackrest", 143, "", "timed out", null);
        assertThat(ErrorMapper.map(timeout, "backup", "main", false)).isSameAs(timeout);
    }
}
