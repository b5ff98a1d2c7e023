package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupType;
import io.pgvault.testkit.TeeOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every pgBackRest command the facade runs leaves one INFO line through SLF4J (slf4j-simple writes to
 * {@code System.err}, captured here): the command, stanza and repo, how long it took, and its outcome; never a secret.
 */
class PgBackRestLogIT {
    private static PgBackRestFixture f;
    private static String log;
    private static PgBackRestException failed;

    @BeforeAll
    static void run() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeOutputStream(originalErr, captured), true, StandardCharsets.UTF_8));
        try {
            f = PgBackRestFixture.start("logs", b -> b);
            f.pgbr.check();
            f.pgbr.backup(BackupType.FULL, f.config.repo(1));
            f.pgbr.verify(f.config.repo(1));
            f.pgbr.expire(f.config.repo(1));
            // restoring over the running cluster's own data directory: [038]
            assertThatThrownBy(() -> f.pgbr.restore(PhysicalRestoreRequest.builder().build()))
                    .isInstanceOfSatisfying(PgBackRestException.class, e -> failed = e);
        } finally {
            System.setErr(originalErr);
            log = captured.toString(StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private static List<String> lines(String command) {
        return log.lines().filter(l -> l.contains(" INFO ") && l.contains("pgbackrest " + command + " ")).toList();
    }

    @Test
    @DisplayName("stanza-create, check, backup, verify and expire each log what ran, on which stanza and repo, how "
            + "long it took and that it succeeded")
    void successes() {
        assertThat(lines("stanza-create")).singleElement().asString().contains("stanza logs", "ok in");
        assertThat(lines("check")).singleElement().asString().contains("stanza logs", "ok in");
        assertThat(lines("backup")).singleElement().asString().contains("stanza logs", "repo1", "--type=full",
                "ok in");
        assertThat(lines("verify")).singleElement().asString().contains("stanza logs", "repo1", "ok in");
        assertThat(lines("expire")).singleElement().asString().contains("stanza logs", "repo1", "ok in");
        assertThat(log).contains("wrote " + f.config.configFile());
    }

    @Test
    @DisplayName("a failed command logs its outcome: pgBackRest's error number and the kind")
    void failure() {
        assertThat(failed.kind()).isEqualTo(PgBackRestException.Kind.SERVER_RUNNING);
        assertThat(lines("restore")).singleElement().asString().contains("stanza logs", "failed in", "[038]",
                "SERVER_RUNNING");
    }

    @Test
    @DisplayName("no secret in any of it: neither the cipher passphrase nor its environment variable's value")
    void noSecret() {
        assertThat(log).contains("pgbackrest backup").doesNotContain(PgBackRestFixture.CIPHER.reveal());
    }
}
