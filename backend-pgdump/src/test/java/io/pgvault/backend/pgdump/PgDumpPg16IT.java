package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.vault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PgDumpPg17IT} on a PostgreSQL 16 server (zonky's server-only build) with PostgreSQL 17's clients, as users of
 * 16 with current clients back up: the sets restore into a PostgreSQL 17 server (the upgrade path, identical), and a
 * restore into the 16 server itself is refused before anything is created, since pg_dump 17's output sets
 * {@code transaction_timeout}, which 16 rejects.
 */
class PgDumpPg16IT extends PgDumpPg17IT {
    private PostgresCluster newer;

    @Override
    int major() {
        return 16;
    }

    @Override
    int clientMajor() {
        return 17;
    }

    @Override
    synchronized PostgresCluster restoreTarget() {
        if (newer == null) {
            newer = PostgresCluster.builder().requireMajorVersion(clientMajor()).start();
            // the roles the awkward database grants to: a new server has them once the demo ran there
            newer.createDatabase("roles_only");
            DemoDatabase.awkward().applyTo(newer, "roles_only");
            newer.dropDatabase("roles_only");
        }
        return newer;
    }

    @AfterAll
    void stopNewer() {
        if (newer != null) {
            newer.close();
        }
    }

    @Test
    @DisplayName("a set dumped by pg_dump 17 is refused for the 16 server itself, naming both versions, and nothing "
            + "is created there")
    void olderTargetRefused(@TempDir Path repo) {
        PgVault vault = vault(PgDumpConfig.builder().connection(connection("awkward")).build(), repository(repo),
                encryption("none"));
        BackupSet set = vault.backup();
        int databases = PgDumpTesting.databases(cluster()).size();
        assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                .targetDatabase("copy_refused").target(connection("postgres")).build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("dumped by pg_dump 17").hasMessageContaining("16.")
                .hasMessageContaining("transaction_timeout");
        assertThat(PgDumpTesting.databases(cluster())).hasSize(databases).doesNotContain("copy_refused");
    }
}
