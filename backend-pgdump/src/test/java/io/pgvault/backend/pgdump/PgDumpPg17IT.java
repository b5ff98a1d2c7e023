package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static io.pgvault.backend.pgdump.PgDumpTesting.dumpText;
import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.vault;
import static io.pgvault.backend.pgdump.PgDumpTesting.visibleKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Logical backups of a PostgreSQL 17 server with its own pg_dump, pg_restore and psql (Debian 13's whole package,
 * which {@code scripts/install-packages} extracts and wraps to run with its own C library): the awkward database
 * round-trips in each format, and the system's older pg_dump is refused with what to do. Subclasses run other
 * servers, and other clients (a newer pg_dump dumps an older server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgDumpPg17IT {
    private static final String SOURCE = "awkward";
    private PostgresCluster cluster;
    private Path clients;
    private String sourceDump;
    private Map<String, String> sourceFingerprint;

    /** @return the server's major version this class runs on */
    int major() {
        return 17;
    }

    /** @return the major version of the client programs (pg_dump, pg_restore, psql) the backups use */
    int clientMajor() {
        return major();
    }

    /** @return where restores go: this class's server, unless a subclass restores elsewhere */
    PostgresCluster restoreTarget() {
        return cluster;
    }

    PostgresCluster cluster() {
        return cluster;
    }

    PgConnection connection(String database) {
        PgConnection c = cluster.connection(database);
        return PgConnection.builder().host(c.host()).port(c.port()).user(c.user()).database(database)
                .binDir(clients).build();
    }

    @BeforeAll
    void start() {
        Optional<String> why = PostgresCluster.whyUnavailable(major());
        assumeTrue(why.isEmpty(), () -> "PostgreSQL " + major() + ": " + why.orElse("")
                + " (scripts/install-packages installs it)");
        Optional<String> noClients = PostgresCluster.whyUnavailable(clientMajor());
        assumeTrue(noClients.isEmpty(), () -> "PostgreSQL " + clientMajor() + " clients: " + noClients.orElse(""));
        clients = PostgresCluster.clientsOf(clientMajor());
        cluster = PostgresCluster.builder().requireMajorVersion(major()).start();
        cluster.createDatabase(SOURCE);
        DemoDatabase.awkward().applyTo(cluster, SOURCE);
        sourceDump = dumpText(cluster, SOURCE, clients);
        sourceFingerprint = DemoDatabase.fingerprint(cluster, SOURCE);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest(name = "{0}, encryption {1}")
    @CsvSource({"PLAIN, none", "CUSTOM, x25519", "DIRECTORY, passphrase"})
    @DisplayName("a restored copy dumps exactly like the source, and the set names the server's and pg_dump's majors")
    void roundTrip(DumpFormat format, String scheme, @TempDir Path repo) {
        PgDumpConfig config = PgDumpConfig.builder().connection(connection(SOURCE)).format(format)
                .jobs(format == DumpFormat.DIRECTORY ? 2 : 1).build();
        PgVault vault = vault(config, repository(repo), encryption(scheme));

        BackupSet set = vault.backup();
        assertThat(set.attributes())
                .hasEntrySatisfying("serverVersionNum", v -> assertThat(v).startsWith(Integer.toString(major())))
                .hasEntrySatisfying("clientVersion", v -> assertThat(v).startsWith("pg_dump (PostgreSQL) "
                        + clientMajor() + "."));

        String target = "copy_" + format.label() + "_" + scheme;
        PostgresCluster into = restoreTarget();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(target)
                .target(into.connection("postgres")).jobs(format == DumpFormat.DIRECTORY ? 2 : 1).build());
        assertThat(withoutServerVersion(dumpText(into, target, clients))).isEqualTo(withoutServerVersion(sourceDump));
        assertThat(DemoDatabase.fingerprint(into, target)).isEqualTo(sourceFingerprint);
        into.dropDatabase(target);
    }

    /** @return a plain dump without its "Dumped from database version" line, which names the server it came from */
    static String withoutServerVersion(String dump) {
        return dump.lines().filter(l -> !l.startsWith("-- Dumped from database version"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    @DisplayName("the system's pg_dump 15 is refused before anything is written, naming PgConnection.binDir")
    void olderClientRefused(@TempDir Path repo) {
        PgConnection old = PgConnection.builder().host(cluster.host()).port(cluster.port()).user(cluster.user())
                .database(SOURCE).binDir(Path.of("/usr/lib/postgresql/15/bin")).build();
        PgVault vault = vault(PgDumpConfig.builder().connection(old).build(), repository(repo), encryption("none"));
        assertThatThrownBy(vault::backup).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot dump a PostgreSQL " + major() + " server")
                .hasMessageContaining("PgConnection.binDir");
        assertThat(visibleKeys(repository(repo))).isEmpty();
    }
}
