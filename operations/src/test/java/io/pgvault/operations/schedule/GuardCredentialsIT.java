package io.pgvault.operations.schedule;

import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.Secret;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guard logging in with a password (SCRAM) from a {@link Secret} or a pgpass file; the secret never leaks. */
class GuardCredentialsIT {
    private static final String PASSWORD = "s3cret-Pa55:with\\colon";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static PgConnection app;

    @BeforeAll
    static void passwordRole() throws Exception {
        pg.cluster().psql("postgres", "SET password_encryption = 'scram-sha-256'; CREATE ROLE guard LOGIN PASSWORD "
                + PostgresCluster.quoteLiteral(PASSWORD));
        Path hba = pg.cluster().dataDirectory().resolve("pg_hba.conf");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(hba));
        lines.add(0, "host all guard 127.0.0.1/32 scram-sha-256");
        Files.write(hba, lines);
        pg.cluster().psql("postgres", "SELECT pg_reload_conf()");
        app = pg.connection().toBuilder().user("guard").build();
    }

    private static Job job() {
        return Job.builder("nightly").cron("0 2 * * *").task(ctx -> { }).build();
    }

    @Test
    @DisplayName("the right password from a Secret takes the lock; without it the server refuses the login")
    void secret() {
        PostgresAdvisoryGuard guard = PostgresAdvisoryGuard.of(ConnectionSource.of(app.toBuilder()
                .password(Secret.of(PASSWORD)).build()));
        try (SingleRunnerGuard.Lease lease = guard.acquire(job())) {
            assertThat(lease.status()).isEqualTo(SingleRunnerGuard.Lease.Status.ACQUIRED);
        }
        assertThatThrownBy(() -> PostgresAdvisoryGuard.of(ConnectionSource.of(app)).acquire(job()))
                .isInstanceOf(PgVaultException.class).hasMessageContaining("guard@127.0.0.1:" + pg.cluster().port())
                .satisfies(e -> assertThat(((PgVaultException) e).retryable()).isTrue());
    }

    @Test
    @DisplayName("a wrong password fails with the server's message, which never holds the password")
    void wrongPassword() {
        String wrong = "not-the-password-" + System.nanoTime();
        ConnectionSource source = ConnectionSource.of(app.toBuilder().password(Secret.of(wrong)).build());
        assertThatThrownBy(() -> PostgresAdvisoryGuard.of(source).acquire(job()))
                .isInstanceOf(PgVaultException.class)
                .hasMessageContaining("password authentication failed for user \"guard\"")
                .satisfies(e -> assertThat(e.toString()).doesNotContain(wrong));
        assertThat(source.toString()).doesNotContain(wrong).isEqualTo("postgresql://guard@127.0.0.1:"
                + pg.cluster().port() + "/postgres");
    }

    @Test
    @DisplayName("a pgpass file (with an escaped colon and a wildcard port) supplies the password")
    void passfile(@TempDir Path dir) throws Exception {
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(pgpass, "# comment\n127.0.0.1:*:postgres:someoneelse:nope\n"
                + "127.0.0.1:*:postgres:guard:" + PASSWORD.replace("\\", "\\\\").replace(":", "\\:") + "\n");
        PostgresAdvisoryGuard guard = PostgresAdvisoryGuard.of(ConnectionSource.of(app.toBuilder().passfile(pgpass)
                .build()));
        try (SingleRunnerGuard.Lease lease = guard.acquire(job())) {
            assertThat(lease.status()).isEqualTo(SingleRunnerGuard.Lease.Status.ACQUIRED);
        }
    }
}
