package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.testkit.PgBackRestBinaries;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Moving a stanza from pgBackRest 2.45 (Debian 12's) to 2.55.1 (Debian 13's) under a running PostgreSQL 15: the repo
 * 2.45 created and backed up is archived into, backed up and restored by 2.55.1 without stanza-upgrade. (A PostgreSQL
 * major upgrade with {@code stanza-upgrade} cannot be shown here: the server-only PostgreSQL 16/17 builds carry no
 * {@code pg_upgrade}, and Debian 12 has no PostgreSQL 17 packages.)
 */
class PgBackRestUpgradeIT {

    @Test
    @DisplayName("a stanza of 2.45 with a full: 2.55.1 archives, checks, takes an incr on that full, restores both")
    void from245To2551() {
        try (PgBackRestFixture f = PgBackRestFixture.start("upgrade", (b, base) -> b)) {
            assertThat(f.pgbr.version().raw()).isEqualTo("pgBackRest 2.45");
            f.pg.psql("postgres", "CREATE TABLE t (tag text); INSERT INTO t SELECT 'old' FROM generate_series(1, 1000);");
            BackupSet full = f.pgbr.backup(BackupType.FULL, 1);

            PgBackRestConfig config = f.config.toBuilder().executable(PgBackRestBinaries.runnableCopy(
                    PgBackRestBinaries.pgbackrest255(), f.base).toString()).build();
            PgBackRest newer = PgBackRest.of(config);
            newer.writeConfig();
            f.pg.configure("archive_command = " + PostgresCluster.quoteLiteral(newer.archiveCommand()));
            f.pg.psql("postgres", "SELECT pg_reload_conf()");
            assertThat(newer.version().raw()).isEqualTo("pgBackRest " + PgBackRestBinaries.V2_55);

            f.pg.psql("postgres", "INSERT INTO t SELECT 'new' FROM generate_series(1, 1000);");
            newer.check();
            assertThat(newer.list(1)).extracting(BackupSet::id).containsExactly(full.id());
            BackupSet incr = newer.backup(BackupType.INCR, 1);
            assertThat(incr.dependsOn()).contains(full.id());
            assertThat(newer.list(1)).extracting(BackupSet::id).containsExactly(full.id(), incr.id());

            Path fromIncr = f.newDirectory("incr");
            newer.restore(PhysicalRestoreRequest.builder().set(incr.id()).target(RestoreTarget.immediate())
                    .targetAction(TargetAction.PROMOTE).dataDirectory(fromIncr).build());
            try (PostgresCluster copy = f.startRestored(fromIncr)) {
                assertThat(copy.queryValue("postgres", "SELECT count(*) FILTER (WHERE tag = 'old') || '/' "
                        + "|| count(*) FILTER (WHERE tag = 'new') FROM t")).isEqualTo("1000/1000");
            }
            Path fromFull = f.newDirectory("full");
            newer.restore(PhysicalRestoreRequest.builder().set(full.id()).target(RestoreTarget.immediate())
                    .targetAction(TargetAction.PROMOTE).dataDirectory(fromFull).build());
            try (PostgresCluster copy = f.startRestored(fromFull)) {
                assertThat(copy.queryValue("postgres", "SELECT count(*) FROM t WHERE tag = 'new'")).isEqualTo("0");
            }
        }
    }
}
