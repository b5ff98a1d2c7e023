package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.Secret;
import io.pgvault.api.ToolException;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input against real pgBackRest: each a typed {@link PgBackRestException} (or {@link ToolException}) whose
 * message carries the remedy and no secret, and afterwards the stanza still lists and restores what it had.
 */
class PgBackRestFailureIT {
    private static PgBackRestFixture f;
    private static BackupSet full;

    @BeforeAll
    static void setUp() {
        f = PgBackRestFixture.start("fail", b -> b);
        f.pg.psql("postgres", "CREATE TABLE t AS SELECT g FROM generate_series(1, 500) g;");
        full = f.pgbr.backup(BackupType.FULL, 1);
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private static PgBackRest variant(String name, UnaryOperator<PgBackRestConfig.Builder> change) {
        PgBackRestConfig.Builder b = f.config.toBuilder().configFile(f.base.resolve(name + "/pgbackrest.conf"))
                .includeDirectory(f.base.resolve(name + "/conf.d"));
        PgBackRest p = PgBackRest.of(change.apply(b).build());
        p.writeConfig();
        return p;
    }

    private static void stillIntact() {
        assertThat(f.pgbr.list(1)).extracting(BackupSet::id).contains(full.id());
    }

    @Test
    @DisplayName("a wrong cipher passphrase is a DECRYPTION error naming the remedy, never the passphrase")
    void wrongPassphrase() {
        Secret wrong = Secret.of("not the passphrase of this repo");
        PgBackRest bad = variant("wrong-pass", b -> PgBackRestConfig.builder("fail").cluster(f.config.cluster())
                .repo(PgBackRestRepo.posix(f.base.resolve("repo1")).cipher(wrong).build())
                .configFile(f.base.resolve("wrong-pass/pgbackrest.conf"))
                .workDirectory(f.base.resolve("work")).launcher(f.pg.serverLauncher()));
        for (Runnable r : List.<Runnable>of(() -> bad.backups(OptionalInt.of(1)), () -> bad.check(),
                () -> bad.restore(PhysicalRestoreRequest.builder().dataDirectory(f.newDirectory("wrong")).build()))) {
            assertThatThrownBy(r::run).isInstanceOfSatisfying(PgBackRestException.class, e -> {
                assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.WRONG_PASSPHRASE);
                assertThat(e.code()).isEqualTo(ErrorCode.DECRYPTION);
                assertThat(e.getMessage()).contains("passphrase").doesNotContain(wrong.reveal())
                        .doesNotContain(PgBackRestFixture.CIPHER.reveal());
                assertThat(e.stderrTail()).doesNotContain(wrong.reveal());
            });
        }
        stillIntact();
    }

    @Test
    @DisplayName("archiving misconfigured: check fails with ARCHIVING_BROKEN, [068] for a foreign command and [082] "
            + "for a pgBackRest command that cannot push")
    void archivingBroken() {
        String broken = f.pgbr.archiveCommand().replace(f.config.configFile().toString(), "/nonexistent/pgbr.conf");
        for (String command : List.of("/bin/false", broken)) {
            f.pg.psql("postgres", "ALTER SYSTEM SET archive_command = " + PostgresCluster.quoteLiteral(command)
                    + "; SELECT pg_reload_conf();");
            try {
                assertThatThrownBy(() -> f.pgbr.check(Duration.ofSeconds(3)))
                        .isInstanceOfSatisfying(PgBackRestException.class, e -> {
                            assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.ARCHIVING_BROKEN);
                            assertThat(e.pgBackRestError()).hasValue(command.equals(broken) ? 82 : 68);
                            assertThat(e.getMessage()).contains("archive_command");
                        });
            } finally {
                f.pg.psql("postgres", "ALTER SYSTEM RESET archive_command; SELECT pg_reload_conf();");
            }
        }
        f.pgbr.check();
        stillIntact();
    }

    @Test
    @DisplayName("pgbackrest missing: TOOL_MISSING saying how to install it")
    void binaryMissing() {
        PgBackRest missing = PgBackRest.of(f.config.toBuilder().executable("/nonexistent/bin/pgbackrest").build());
        assertThatThrownBy(missing::version).isInstanceOfSatisfying(ToolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOOL_MISSING);
            assertThat(e.getMessage()).contains("apt-get install -y pgbackrest").contains("/nonexistent/bin/pgbackrest");
        });
        assertThatThrownBy(() -> missing.backup(BackupType.FULL, 1)).isInstanceOf(ToolException.class)
                .extracting(e -> ((ToolException) e).code()).isEqualTo(ErrorCode.TOOL_MISSING);
        stillIntact();
    }

    @Test
    @DisplayName("a repo the server's user cannot reach: a REPOSITORY error, the repo unchanged once reachable")
    void repoUnreachable() throws Exception {
        Path repo = f.base.resolve("repo1");
        Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("---------"));
        try {
            assertThatThrownBy(() -> f.pgbr.backup(BackupType.FULL, 1))
                    .isInstanceOfSatisfying(PgBackRestException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY);
                        assertThat(e.kind()).isIn(PgBackRestException.Kind.PERMISSION,
                                PgBackRestException.Kind.REPO_UNREACHABLE);
                        assertThat(e.getMessage()).contains(repo.toString());
                    });
        } finally {
            Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("rwxr-x---"));
        }
        stillIntact();
    }

    @Test
    @DisplayName("a wrong database port: DATABASE_CONNECT naming pg1-port")
    void databaseUnreachable() {
        PgBackRest bad = variant("bad-port", b -> b.cluster(f.config.cluster().toBuilder()
                .port(PgBackRestFixture.freePort()).build()));
        assertThatThrownBy(() -> bad.check(Duration.ofSeconds(5))).isInstanceOfSatisfying(PgBackRestException.class,
                e -> {
                    assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.DATABASE_CONNECT);
                    assertThat(e.getMessage()).contains("pg1-port");
                });
        stillIntact();
    }

    @Test
    @DisplayName("the cluster re-created under the stanza: STANZA_MISMATCH telling stanza-delete/stanza-create, "
            + "which then fix it")
    void systemIdMismatch() {
        // a repo of its own, so the other tests' stanza stays intact
        Path repo = f.base.resolve("repo-mismatch");
        PgBackRest original = variant("mismatch-a", b -> PgBackRestConfig.builder("moved")
                .cluster(f.config.cluster()).repo(PgBackRestRepo.posix(repo).build())
                .configFile(f.base.resolve("mismatch-a/pgbackrest.conf"))
                .workDirectory(f.base.resolve("work")).launcher(f.pg.serverLauncher()));
        original.stanzaCreate();
        try (PostgresCluster recreated = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(f.base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start()) {
            PgBackRest moved = variant("mismatch-b", b -> PgBackRestConfig.builder("moved")
                    .cluster(PgCluster.builder(recreated.dataDirectory()).port(recreated.port())
                            .socketDirectory(recreated.socketDirectory()).binDir(recreated.binDir()).build())
                    .repo(PgBackRestRepo.posix(repo).build())
                    .configFile(f.base.resolve("mismatch-b/pgbackrest.conf"))
                    .workDirectory(f.base.resolve("work")).launcher(recreated.serverLauncher())
                    .archiveTimeout(Duration.ofSeconds(20)));
            assertThatThrownBy(() -> moved.backup(BackupType.FULL, 1))
                    .isInstanceOfSatisfying(PgBackRestException.class, e -> {
                        assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.STANZA_MISMATCH);
                        assertThat(e.getMessage()).contains("stanza-delete").contains("stanza-create")
                                .contains("system");
                    });
            assertThat(moved.list(1)).isEmpty();
            recreated.configure("archive_command = " + PostgresCluster.quoteLiteral(moved.archiveCommand()));
            recreated.restart();
            moved.stanzaDelete(1, true);
            moved.stanzaCreate();
            moved.check();
            assertThat(moved.backup(BackupType.FULL, 1).type()).isEqualTo(BackupType.FULL);
        }
        stillIntact();
    }
}
