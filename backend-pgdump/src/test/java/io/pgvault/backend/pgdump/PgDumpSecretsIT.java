package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.ToolException;
import io.pgvault.backend.pgdump.PgDumpTesting.RecordingLauncher;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.TeeOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.pgvault.backend.pgdump.PgDumpTesting.PASSPHRASE;
import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.rowCounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A password-protected role over TCP with SCRAM: the password and the passphrase never appear on a command line,
 * in a log line, in an exception, or in the repository, and the temporary pgpass file is gone afterwards.
 */
class PgDumpSecretsIT {
    private static final String ROLE = "vault_user";
    /** ':' and '\' need escaping in a pgpass file; the quote and the space test the rest of the path. */
    private static final String PASSWORD = "Pa:ss\\wörd 'sekrit-42'";
    private static final String SOURCE = "secrets";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeAll
    static void requirePasswords() throws IOException {
        PostgresCluster cluster = pg.cluster();
        cluster.psql("postgres", "SET password_encryption = 'scram-sha-256'; CREATE ROLE " + ROLE
                + " LOGIN SUPERUSER PASSWORD " + PostgresCluster.quoteLiteral(PASSWORD) + ";");
        cluster.createDatabase(SOURCE);
        cluster.psql(SOURCE, "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 1000);");
        // the fixture trusts everyone; from now on only its own superuser is trusted
        Files.writeString(cluster.dataDirectory().resolve("pg_hba.conf"), """
                local all all trust
                host all postgres 127.0.0.1/32 trust
                host all all 127.0.0.1/32 scram-sha-256
                """);
        cluster.psql("postgres", "SELECT pg_reload_conf();");
    }

    /** Tees System.err, where slf4j-simple writes (pgvault logs at debug in these tests: argv included). */
    @BeforeEach
    void captureLog() {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeOutputStream(originalErr, log), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErr() {
        System.setErr(originalErr);
        pg.cluster().dropDatabase("secret_copy");
    }

    private static PgConnection connection(Secret password) {
        PgConnection.Builder b = pg.connection(SOURCE).toBuilder().user(ROLE);
        return password == null ? b.build() : b.password(password).build();
    }

    private static Set<Path> pgpassFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().matches("pgvault-.*\\.pgpass"))
                    .collect(Collectors.toSet());
        }
    }

    /**
     * The pass files that appeared since {@code before} and are still there. The directory is shared with other
     * processes (another build's tests): their files come and go within a tool run, a file this test leaked stays,
     * so a new file must outlast a grace period to count.
     */
    private static Set<Path> leakedPgpassFiles(Set<Path> before) throws IOException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            Set<Path> leaked = new java.util.HashSet<>(pgpassFiles());
            leaked.removeAll(before);
            if (leaked.isEmpty() || System.nanoTime() > deadline) {
                return leaked;
            }
            Thread.onSpinWait();
        }
    }

    @Test
    @DisplayName("the server really asks: without the password the backup fails")
    void passwordIsRequired(@TempDir Path repo) {
        PgVault vault = PgDumpTesting.vault(PgDumpConfig.builder().connection(connection(null)).build(),
                repository(repo), encryption("none"));
        ToolException e = catchThrowableOfType(ToolException.class, vault::backup);
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
        assertThat(e.getMessage()).containsAnyOf("password", "authentication");
    }

    @ParameterizedTest(name = "password through {0}")
    @EnumSource(PasswordTransport.class)
    @DisplayName("backup, deep verify and restore with a password and a passphrase leave no secret behind")
    void noSecretAnywhere(PasswordTransport transport, @TempDir Path repo) throws IOException {
        Set<Path> passfilesBefore = pgpassFiles();
        RecordingLauncher launcher = new RecordingLauncher();
        PgDumpConfig config = PgDumpConfig.builder().connection(connection(Secret.of(PASSWORD)))
                .format(DumpFormat.CUSTOM).includeGlobals(true).passwordTransport(transport).build();
        PgVault vault = PgDumpTesting.vault(config, repository(repo), encryption("passphrase"),
                new ProcessRunner(launcher));

        BackupSet set = vault.backup();
        assertThat(vault.verify(set.id(), true).problems()).isEmpty();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("secret_copy").jobs(2).build());

        assertThat(rowCounts(pg.cluster(), "secret_copy")).isEqualTo(Map.of("public.t", 1000L));
        List<String> secrets = List.of(PASSWORD, PASSPHRASE.reveal());
        assertThat(launcher.argvs()).hasSizeGreaterThan(5).allSatisfy(argv -> assertThat(String.join(" ", argv))
                .doesNotContain(secrets));
        String expectedVariable = transport == PasswordTransport.PASSFILE ? "PGPASSFILE" : "PGPASSWORD";
        assertThat(launcher.envNames()).filteredOn(names -> names.contains("PGHOST"))
                .allSatisfy(names -> assertThat(names).contains(expectedVariable));
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).contains("starting pg_dump").doesNotContain(secrets);
        assertThat(leakedPgpassFiles(passfilesBefore)).as("pass files left behind").isEmpty();
        assertNotInRepository(repo, secrets);
    }

    @Test
    @DisplayName("tools run as another OS user get the password through their environment")
    void asAnotherOsUser(@TempDir Path repo) {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "running the tools as OS user postgres needs runuser, which needs root");
        PgDumpConfig config = PgDumpConfig.builder().connection(connection(Secret.of(PASSWORD)))
                .format(DumpFormat.PLAIN).passwordTransport(PasswordTransport.ENVIRONMENT).build();
        RecordingLauncher recorder = new RecordingLauncher();
        Launcher asPostgres = new Launcher() {
            @Override
            public List<String> wrap(List<String> command, java.util.Set<String> envNames) {
                return recorder.wrap(Launcher.asUser("postgres").wrap(command, envNames), envNames);
            }

            @Override
            public String describe() {
                return "as postgres";
            }
        };
        PgVault vault = PgDumpTesting.vault(config, repository(repo), encryption("none"),
                new ProcessRunner(asPostgres));
        BackupSet set = vault.backup();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("secret_copy").build());

        assertThat(rowCounts(pg.cluster(), "secret_copy")).isEqualTo(Map.of("public.t", 1000L));
        assertThat(recorder.argvs()).allSatisfy(argv -> {
            assertThat(argv.subList(0, 4)).containsExactly("runuser", "-u", "postgres", "--");
            assertThat(String.join(" ", argv)).doesNotContain(PASSWORD);
        });
    }

    @Test
    @DisplayName("a wrong password fails cleanly and is not echoed")
    void wrongPassword(@TempDir Path repo) {
        String wrong = "wrong-" + PASSWORD;
        PgVault vault = PgDumpTesting.vault(PgDumpConfig.builder().connection(connection(Secret.of(wrong))).build(),
                repository(repo), encryption("none"));
        ToolException e = catchThrowableOfType(ToolException.class, vault::backup);
        assertThat(e.getMessage()).contains("password authentication failed").doesNotContain(wrong);
        assertThat(e.stderrTail()).doesNotContain(wrong);
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain(wrong);
        assertThat(vault.list()).isEmpty();
    }

    private static void assertNotInRepository(Path repo, List<String> secrets) throws IOException {
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String s : secrets) {
                    assertThat(content).as(f.toString())
                            .doesNotContain(new String(s.getBytes(StandardCharsets.UTF_8),
                                    StandardCharsets.ISO_8859_1));
                }
            }
        }
    }
}
