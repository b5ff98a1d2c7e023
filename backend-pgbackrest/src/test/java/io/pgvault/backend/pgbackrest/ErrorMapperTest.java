package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stderr as pgBackRest prints it mapped to kinds with remedies: seen in the integration tests (2.45), or quoted from
 * pgBackRest's source (release/2.45 to release/2.59.1; each group names the file that throws it).
 */
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
    @DisplayName("a PostgreSQL newer than the pgBackRest (2.45 on a 16 server: [056] after VersionNotSupportedError) is "
            + "UNSUPPORTED, saying to upgrade pgBackRest, not a connection problem")
    void postgresTooNewForPgBackRest() {
        // what pgBackRest 2.45 printed for stanza-create on PostgreSQL 16.10 here
        PgBackRestException e = map("WARN: unable to check pg1: [VersionNotSupportedError] unexpected control version "
                + "= 1300 and catalog version = 202307071\n      HINT: is this version of PostgreSQL supported?\n"
                + "ERROR: [056]: unable to find primary cluster - cannot proceed\n"
                + "       HINT: are all available clusters in recovery?", false);
        assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.UNSUPPORTED);
        assertThat(e.getMessage()).contains("[056]", "upgrade pgBackRest");
        assertThat(map("ERROR: [056]: unable to find primary cluster - cannot proceed\n"
                + "       HINT: are all available clusters in recovery?", false).kind())
                .isEqualTo(PgBackRestException.Kind.DATABASE_CONNECT);
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
        // protocol/helper.c: a pgBackRest TLS server refusing the client (S3's 403 is [039], below)
        assertThat(map("ERROR: [105]: access denied", false).kind())
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
    @DisplayName("restore with the wrong passphrase is WRONG_PASSPHRASE whether the info file fails as FormatError or "
            + "CryptoError (about 1 wrong key in 6 decrypts to bad padding: text quoted from pgBackRest 2.45)")
    void wrongKeyRestoreCryptoError() {
        for (String type : new String[] {"FormatError", "CryptoError"}) {
            String tail = "WARN: repo1: [" + type + "] unable to load info file '/r/backup/x/backup.info' or "
                    + "'/r/backup/x/backup.info.copy':\n      CryptoError: unable to flush\n"
                    + "      HINT: is or was the repo encrypted?\n"
                    + "      HINT: has a stanza-create been performed?\nERROR: [075]: no backup set found to restore";
            assertThat(map(tail, true).kind()).as(type).isEqualTo(PgBackRestException.Kind.WRONG_PASSPHRASE);
        }
        assertThat(map("WARN: repo1: [FileMissingError] unable to load info file '/r/backup/x/backup.info' or "
                + "'/r/backup/x/backup.info.copy':\nERROR: [075]: no backup set found to restore", true).kind())
                .isNotEqualTo(PgBackRestException.Kind.WRONG_PASSPHRASE);
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

    private static PgBackRestException kindOf(String stderr, PgBackRestException.Kind kind) {
        PgBackRestException e = map(stderr, false);
        assertThat(e.kind()).as(stderr).isEqualTo(kind);
        assertThat(e.getMessage()).endsWith(kind.remedy());
        return e;
    }

    @Nested
    @DisplayName("[058] DbMismatchError")
    class DbMismatch {
        @Test
        @DisplayName("a target timeline that forked before the backup is TIMELINE: targetTimeline, never stanza-delete")
        void forkedBeforeBackup() {
            // src/command/restore/timeline.c (2.55.0+), rendered as in test/src/module/command/restoreTest.c
            PgBackRestException e = kindOf("ERROR: [058]: target timeline A forked from backup timeline 9 at "
                    + "0/5000000 which is before backup lsn of 0/6000000\n"
                    + "       HINT: was the target timeline created by accidentally promoting a standby?\n"
                    + "       HINT: was the target timeline created by testing a restore without --archive-mode=off?\n"
                    + "       HINT: was the backup made after the target timeline was created?",
                    PgBackRestException.Kind.TIMELINE);
            assertThat(e.remedy()).contains("targetTimeline", "TargetTimeline.current()", "hexadecimal")
                    .doesNotContain("stanza-delete", "stanza-create");
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
            assertThat(e.pgBackRestError()).hasValue(58);
        }

        @Test
        @DisplayName("a backup timeline missing from the target's history, or an invalid target, is TIMELINE")
        void notInHistory() {
            // src/command/restore/timeline.c (2.55.0+)
            kindOf("ERROR: [058]: backup timeline 6, lsn 0/4ffffff is not in the history of target timeline B\n"
                    + "       HINT: was the target timeline created by promoting from a timeline < latest?",
                    PgBackRestException.Kind.TIMELINE);
            kindOf("ERROR: [058]: invalid target timeline 'x'", PgBackRestException.Kind.TIMELINE);
        }

        @Test
        @DisplayName("the server disagreeing with pg_control, or a standby promoted mid-backup, is SERVER_MISMATCH")
        void serverMismatch() {
            // src/command/check/common.c
            PgBackRestException e = kindOf("ERROR: [058]: version '15' and path '/var/lib/postgresql/15/main' "
                    + "queried from cluster do not match version '15' and '/srv/other' read from "
                    + "'/srv/other/global/pg_control'\n"
                    + "       HINT: the pg1-path and pg1-port settings likely reference different clusters.",
                    PgBackRestException.Kind.SERVER_MISMATCH);
            assertThat(e.remedy()).contains("pg1-path", "pg1-port").doesNotContain("stanza-delete");
            // src/db/db.c
            kindOf("ERROR: [058]: WAL timeline 2 does not match pg_control timeline 1",
                    PgBackRestException.Kind.SERVER_MISMATCH);
            kindOf("ERROR: [058]: current checkpoint '0/3000028' is less than backup start '0/4000028'",
                    PgBackRestException.Kind.SERVER_MISMATCH);
            kindOf("ERROR: [058]: standby is no longer in recovery\n"
                    + "       HINT: was the standby promoted during the backup?",
                    PgBackRestException.Kind.SERVER_MISMATCH);
            kindOf("ERROR: [058]: standby is on timeline 2 but expected 3", PgBackRestException.Kind.SERVER_MISMATCH);
        }

        @Test
        @DisplayName("the real system-id mismatches ([044], [051]) stay STANZA_MISMATCH")
        void systemIdStaysStanzaMismatch() {
            // src/command/backup/backup.c
            kindOf("ERROR: [051]: PostgreSQL version 15, system-id 7710710227325253864 do not match stanza version 15, "
                    + "system-id 7710710156981526534\n       HINT: is this the correct stanza?",
                    PgBackRestException.Kind.STANZA_MISMATCH);
        }
    }

    @Nested
    @DisplayName("timeline history files")
    class HistoryFiles {
        @Test
        @DisplayName("a missing or unreadable .history file of the target timeline is TIMELINE")
        void history() {
            // src/command/restore/timeline.c reads it with storageGetP (src/storage/storage.intern.h's message)
            kindOf("ERROR: [055]: unable to open missing file "
                    + "'/var/lib/pgbackrest/archive/main/15-1/00000003.history' for read",
                    PgBackRestException.Kind.TIMELINE);
            kindOf("ERROR: [029]: invalid timeline '3' at '/var/lib/pgbackrest/archive/main/15-1/00000003.history': "
                    + "invalid history line format 'x'", PgBackRestException.Kind.TIMELINE);
        }
    }

    @Nested
    @DisplayName("[075] BackupSetInvalidError")
    class BackupSetInvalid {
        @Test
        @DisplayName("a time or LSN target before the oldest backup is TARGET_BEFORE_OLDEST_BACKUP")
        void targetBeforeOldest() {
            // src/command/restore/select.c.inc (restore.c in 2.45)
            PgBackRestException e = kindOf("ERROR: [075]: unable to find backup set with stop time less than "
                    + "'2026-11-21 10:10:10.123456+00'", PgBackRestException.Kind.TARGET_BEFORE_OLDEST_BACKUP);
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.remedy()).contains("later target");
            kindOf("ERROR: [075]: unable to find backup set with lsn less than or equal to '0/3000000'",
                    PgBackRestException.Kind.TARGET_BEFORE_OLDEST_BACKUP);
        }

        @Test
        @DisplayName("an unknown set, or none at all, is SET_NOT_FOUND; expiring the only full is ONLY_FULL_BACKUP")
        void otherCases() {
            kindOf("ERROR: [075]: backup set 20261121-101010F is not valid", PgBackRestException.Kind.SET_NOT_FOUND);
            kindOf("ERROR: [075]: no backup set found to restore", PgBackRestException.Kind.SET_NOT_FOUND);
            // src/command/expire/expire.c
            kindOf("ERROR: [075]: full backup 20261121-101010F cannot be expired until another full backup has been "
                    + "created on this repo", PgBackRestException.Kind.ONLY_FULL_BACKUP);
        }
    }

    @Nested
    @DisplayName("[103] and [104]: per-repo failures summed up")
    class RepoSummaries {
        @Test
        @DisplayName("archive-push's list of repo errors is classified by the first repo error that says more")
        void nested() {
            // src/command/archive/push/push.c, entries formatted "%s: [%s] %s" (push.c, push/file.c)
            kindOf("ERROR: [103]: unable to find a valid repository:\n"
                    + "repo1: [FileOpenError] unable to open file '/r/archive/main/archive.info' for read: [13] "
                    + "Permission denied", PgBackRestException.Kind.PERMISSION);
            kindOf("ERROR: [104]: archive-push command encountered error(s):\n"
                    + "repo2: [ArchiveDuplicateError] WAL file '000000010000000000000003' already exists in the repo2 "
                    + "archive with a different checksum", PgBackRestException.Kind.DUPLICATE_WAL);
            kindOf("ERROR: [103]: unable to find a valid repository:\nrepo1: [ArchiveMismatchError] WAL file "
                    + "'/pg/pg_wal/000000010000000000000003' version 15, system-id 1 do not match stanza version 15, "
                    + "system-id 2", PgBackRestException.Kind.STANZA_MISMATCH);
        }

        @Test
        @DisplayName("without repo errors in the output: REPO_UNREACHABLE, or COMMAND_FOUND_ERRORS naming the repos'")
        void summariesAlone() {
            // src/command/archive/get/get.c
            kindOf("ERROR: [103]: unable to find a valid repository", PgBackRestException.Kind.REPO_UNREACHABLE);
            // src/command/expire/expire.c
            PgBackRestException e = kindOf("ERROR: [104]: expire command encountered 1 error(s), check the log file "
                    + "for details", PgBackRestException.Kind.COMMAND_FOUND_ERRORS);
            assertThat(e.remedy()).contains("each repo's own error").doesNotContain("damaged");
            // expire logs each repo's error first: that one decides
            kindOf("ERROR: [041]: repo2: unable to open file '/r/backup/main/backup.info' for write: [13] Permission "
                    + "denied\nERROR: [104]: expire command encountered 1 error(s), check the log file for details",
                    PgBackRestException.Kind.PERMISSION);
        }
    }

    @Nested
    @DisplayName("[039] ProtocolError: S3 responses")
    class Protocol {
        private static final String HTTP = "ERROR: [039]: HTTP request failed with %s:\n*** Path/Query ***:\n"
                + "GET /?delimiter=%%2F&list-type=2&prefix=backup%%2Fmain%%2F\n*** Response Content ***:\n"
                + "<Error><Code>%s</Code></Error>";

        @Test
        @DisplayName("403 is REPO_ACCESS_DENIED, but RequestTimeTooSkewed is CLOCK_SKEW; 404 is REPO_UNREACHABLE")
        void http() {
            // src/common/io/http/request.c httpRequestError()
            kindOf(HTTP.formatted("403 (Forbidden)", "AccessDenied"), PgBackRestException.Kind.REPO_ACCESS_DENIED);
            kindOf(HTTP.formatted("400 (Bad Request)", "AuthorizationHeaderMalformed"),
                    PgBackRestException.Kind.REPO_ACCESS_DENIED);
            kindOf(HTTP.formatted("403 (Forbidden)", "RequestTimeTooSkewed"), PgBackRestException.Kind.CLOCK_SKEW);
            kindOf(HTTP.formatted("404 (Not Found)", "NoSuchBucket"), PgBackRestException.Kind.REPO_UNREACHABLE);
        }

        @Test
        @DisplayName("a local and remote pgBackRest of different versions is UNSUPPORTED")
        void greeting() {
            // src/protocol/client.c
            kindOf("ERROR: [039]: expected value '2.55.1' for greeting key 'version' but got '2.45'\n"
                    + "       HINT: is the same version of pgBackRest installed on the local and remote host?",
                    PgBackRestException.Kind.UNSUPPORTED);
        }
    }

    @Test
    @DisplayName("2.59's refusal to run as root is RUNS_AS_ROOT; other [031] stay INVALID_OPTION")
    void root() {
        // src/config/load.c (2.59.0+)
        PgBackRestException e = kindOf("ERROR: [031]: the 'backup' command must not be run as the root user\n"
                + "       HINT: running as root can create files that the regular user cannot access, causing later "
                + "commands to fail.\n"
                + "       HINT: set the 'allow-root' option to allow running this command as root.",
                PgBackRestException.Kind.RUNS_AS_ROOT);
        assertThat(e.remedy()).contains("Launcher.asUser(\"postgres\")");
        // src/config/parse.c
        kindOf("ERROR: [031]: option 'target-timeline' not valid without option 'type' in ('default', 'lsn', 'name', "
                + "'standby', 'time', 'xid')", PgBackRestException.Kind.INVALID_OPTION);
    }

    @Test
    @DisplayName("clock, duplicate WAL, checksum, db-include and process failures each get their own remedy")
    void others() {
        // src/command/backup/backup.c
        kindOf("ERROR: [106]: new backup label '20261121-101010F' is not later than latest backup label "
                + "'20261121-111111F'\n       HINT: has the timezone changed?\n       HINT: is there clock skew?",
                PgBackRestException.Kind.CLOCK_SKEW);
        // src/command/archive/find.c (archive/common.c in 2.45)
        kindOf("ERROR: [045]: duplicates found in archive for WAL segment 000000010000000000000003: "
                + "000000010000000000000003-aaaa.gz, 000000010000000000000003-bbbb.gz\n"
                + "       HINT: are multiple primaries archiving to this stanza?",
                PgBackRestException.Kind.DUPLICATE_WAL);
        // src/command/restore/file.c
        assertThat(kindOf("ERROR: [026]: error restoring 'base/1/1259': actual checksum 'aa' does not match expected "
                + "checksum 'bb'", PgBackRestException.Kind.CHECKSUM_MISMATCH).code()).isEqualTo(ErrorCode.INTEGRITY);
        // src/command/restore/select.c.inc (restore.c in 2.45)
        kindOf("ERROR: [080]: database to include 'shop' does not exist", PgBackRestException.Kind.INVALID_OPTION);
        kindOf("ERROR: [081]: system databases (template0, postgres, etc.) are included by default",
                PgBackRestException.Kind.INVALID_OPTION);
        // src/common/exec.c
        kindOf("ERROR: [102]: remote-0 process on 'db1' terminated unexpectedly on signal 9",
                PgBackRestException.Kind.TERMINATED);
        // src/command/archive/common.c (2.45), src/command/command.c (2.59)
        kindOf("ERROR: [102]: unable to execute asynchronous 'archive-push': [12] Cannot allocate memory",
                PgBackRestException.Kind.PROCESS_FAILED);
    }

    @Test
    @DisplayName("a signal ends pgBackRest with exit code 63 and no numbered error: TERMINATED")
    void terminated() {
        // src/command/exit.c: exit(TermError's code) after logging "terminated on signal [SIGTERM]" at info level
        ToolException e = ErrorMapper.map(failed(63, "INFO: backup command end: terminated on signal [SIGTERM]"),
                "backup", "main", false);
        assertThat(e).isInstanceOfSatisfying(PgBackRestException.class, p -> {
            assertThat(p.kind()).isEqualTo(PgBackRestException.Kind.TERMINATED);
            assertThat(p.pgBackRestError()).hasValue(63);
            assertThat(p.retryable()).isTrue();
        });
        ToolException other = failed(1, "something else");
        assertThat(ErrorMapper.map(other, "backup", "main", false)).isSameAs(other);
    }
}
