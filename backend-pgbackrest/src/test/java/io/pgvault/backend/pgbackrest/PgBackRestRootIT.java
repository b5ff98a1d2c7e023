package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.spi.process.Launcher;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.MatrixPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * pgvault refuses to run pgBackRest as root, before anything is written: root-owned {@code pgbackrest.conf},
 * {@code backup.info} and lock files make the server's {@code archive-push} (run as postgres) fail later with
 * {@code [041] Permission denied}. Real pgBackRest, real files; the build machines run the tests as root.
 */
class PgBackRestRootIT {
    private Path base;

    @BeforeEach
    void rootOnly() throws IOException {
        assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0,
                "the refusal is about a JVM running as root; this JVM is not");
        base = Directories.createServerOwned("pgbr-root-");
    }

    @AfterEach
    void delete() {
        if (base != null) {
            PgBackRestFixture.delete(base);
        }
    }

    private PgBackRestConfig.Builder config() {
        return PgBackRestConfig.builder("rooted")
                .cluster(PgCluster.builder(base.resolve("data")).build())
                .repo(PgBackRestRepo.posix(base.resolve("repo1")).cipher(PgBackRestFixture.CIPHER).build())
                .configFile(base.resolve("conf/pgbackrest.conf"))
                .workDirectory(base.resolve("work"));
    }

    @Test
    @DisplayName("with the default launcher, as root, writeConfig and stanzaCreate refuse with RUNS_AS_ROOT naming "
            + "Launcher.asUser(\"postgres\"), and nothing is written")
    void refusedByDefault() {
        PgBackRest pgbr = PgBackRest.of(config().build());
        assertThat(pgbr.config().launcher().describe()).isEqualTo("local");
        for (Runnable r : new Runnable[] {pgbr::writeConfig, pgbr::stanzaCreate, pgbr::info}) {
            assertThatThrownBy(r::run).isInstanceOfSatisfying(PgBackRestException.class, e -> {
                assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.RUNS_AS_ROOT);
                assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                assertThat(e.getMessage()).contains("root", "Launcher.asUser(\"postgres\")", "allowRoot");
            });
        }
        assertThat(base.resolve("conf")).doesNotExist();
        assertThat(base.resolve("repo1")).doesNotExist();
        assertThat(base.resolve("work")).doesNotExist();
    }

    @Test
    @DisplayName("allowRoot(true) opts in: the files are written, owned by root")
    void optIn() throws IOException {
        PgBackRest pgbr = PgBackRest.of(config().launcher(Launcher.local()).allowRoot(true).build());
        pgbr.writeConfig();
        assertThat(Files.getOwner(base.resolve("conf/pgbackrest.conf")).getName()).isEqualTo("root");
    }

    @Test
    @DisplayName("pgBackRest 2.59+ refuses root itself: allowRoot(true) writes allow-root=y, and its info runs as root; "
            + "2.55 is given no such option")
    void optInOnNewest() throws IOException {
        MatrixPair.PG18_PGBR_NEWEST.assumeInstalled();
        String newest = MatrixPair.PG18_PGBR_NEWEST.executable(base).orElseThrow();
        PgBackRest pgbr = PgBackRest.of(config().executable(newest).launcher(Launcher.local()).allowRoot(true).build());
        assertThat(pgbr.version().atLeast(2, 59)).as(pgbr.version().raw()).isTrue();
        pgbr.writeConfig();
        assertThat(pgbr.info()).isEmpty(); // without allow-root: [031] the 'info' command must not be run as root
        assertThat(Files.readString(base.resolve("conf/pgbackrest.conf"))).contains("\nallow-root=y\n");

        String v255 = MatrixPair.PG17_PGBR2551.executable(base).orElseThrow();
        PgBackRest older = PgBackRest.of(config().executable(v255).launcher(Launcher.local()).allowRoot(true).build());
        older.writeConfig();
        assertThat(Files.readString(base.resolve("conf/pgbackrest.conf"))).doesNotContain("allow-root");
    }

    @Test
    @DisplayName("pgBackRest 2.59+ run as root without pgvault's consent is still refused by pgvault first")
    void newestRefusedByDefault() {
        MatrixPair.PG18_PGBR_NEWEST.assumeInstalled();
        String newest = MatrixPair.PG18_PGBR_NEWEST.executable(base).orElseThrow();
        PgBackRest pgbr = PgBackRest.of(config().executable(newest).build());
        assertThatThrownBy(pgbr::info).isInstanceOfSatisfying(PgBackRestException.class,
                e -> assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.RUNS_AS_ROOT));
        assertThat(base.resolve("conf")).doesNotExist();
    }

    @Test
    @DisplayName("a launcher that switches to postgres passes: the files are the server user's")
    void asPostgres() throws IOException {
        PgBackRest pgbr = PgBackRest.of(config().launcher(Launcher.asUser("postgres")).build());
        pgbr.writeConfig();
        assertThat(Files.getOwner(base.resolve("conf/pgbackrest.conf")).getName()).isEqualTo("postgres");
    }
}
