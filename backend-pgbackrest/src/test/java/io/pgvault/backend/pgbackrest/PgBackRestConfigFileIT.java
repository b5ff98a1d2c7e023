package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.spi.process.Launcher;
import io.pgvault.testkit.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every command pgvault runs reads {@code pgbackrest.conf}; a file that is not the one this facade's configuration
 * renders (written for another configuration, edited by hand, or never written) is detected before the command runs,
 * never silently used. Real pgBackRest ({@code info} needs no cluster), real files.
 */
class PgBackRestConfigFileIT {
    private Path base;

    @BeforeEach
    void directory() {
        base = Directories.createServerOwned("pgbr-conf-");
    }

    @AfterEach
    void delete() {
        PgBackRestFixture.delete(base);
    }

    private PgBackRestConfig.Builder config(String repo) {
        return PgBackRestConfig.builder("conf")
                .cluster(PgCluster.builder(base.resolve("data")).build())
                .repo(PgBackRestRepo.posix(base.resolve(repo)).cipher(PgBackRestFixture.CIPHER).build())
                .configFile(base.resolve("conf/pgbackrest.conf"))
                .workDirectory(base.resolve("work"))
                .launcher(Launcher.asUser("postgres"));
    }

    private static void assertStale(Runnable command, Path file, String... named) {
        assertThatThrownBy(command::run).isInstanceOfSatisfying(PgBackRestException.class, e -> {
            assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.CONFIG_OUT_OF_DATE);
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
            assertThat(e.getMessage()).contains(file.toString(), "writeConfig()").contains(named);
        });
    }

    @Test
    @DisplayName("a file written for another configuration is refused, naming the file, the settings that differ and "
            + "writeConfig(); after writeConfig() the command runs")
    void writtenForAnotherConfiguration() {
        PgBackRest old = PgBackRest.of(config("repo-old").build());
        old.writeConfig();
        PgBackRest current = PgBackRest.of(config("repo-new").processMax(3).build());
        assertStale(current::info, current.config().configFile(), "repo1-path", "process-max");
        current.writeConfig();
        assertThat(current.info()).isEmpty();
        assertStale(old::info, old.config().configFile(), "repo1-path");
    }

    @Test
    @DisplayName("a hand-edited file is refused, never silently used; the edited value is not quoted")
    void editedByHand() throws IOException {
        PgBackRest pgbr = PgBackRest.of(config("repo1").build());
        pgbr.writeConfig();
        assertThat(pgbr.info()).isEmpty();
        Files.writeString(pgbr.config().configFile(), "[global]\nrepo1-cipher-pass=typed in by hand\n",
                StandardOpenOption.APPEND);
        assertThatThrownBy(pgbr::info).isInstanceOfSatisfying(PgBackRestException.class,
                e -> assertThat(e.getMessage()).contains("repo1-cipher-pass").doesNotContain("typed in by hand"));
        assertStale(pgbr::stanzaCreate, pgbr.config().configFile(), "repo1-cipher-pass");
    }

    @Test
    @DisplayName("a missing file is reported as such, with writeConfig() as the remedy")
    void missing() {
        PgBackRest pgbr = PgBackRest.of(config("repo1").build());
        assertStale(pgbr::info, pgbr.config().configFile(), "does not exist");
    }
}
