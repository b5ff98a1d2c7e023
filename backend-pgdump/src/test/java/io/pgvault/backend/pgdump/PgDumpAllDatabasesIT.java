package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ConflictException;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.StoredObject;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.rowCounts;
import static io.pgvault.backend.pgdump.PgDumpTesting.vault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A whole cluster, roles included, in one set: backed up from one cluster and restored into another. */
class PgDumpAllDatabasesIT {
    private static final String UNICODE = "Ünï 2 🐘";
    private static final String PASSWORD_HASH = "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_owner'";

    @RegisterExtension
    static PostgresFixture source = PostgresFixture.create();
    @RegisterExtension
    static PostgresFixture target = PostgresFixture.create();

    @BeforeAll
    static void createDatabases() {
        PostgresCluster pg = source.cluster();
        pg.psql("postgres", """
                CREATE ROLE app_owner LOGIN PASSWORD 'app-owner-password';
                CREATE DATABASE app1 OWNER app_owner;
                """);
        pg.psql("app1", """
                CREATE TABLE items (id int PRIMARY KEY, name text);
                INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;
                ALTER TABLE items OWNER TO app_owner;
                """);
        pg.createDatabase(UNICODE);
        pg.psql(UNICODE, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('ä'), ('🐘');");
        pg.psql("postgres", "CREATE TABLE in_postgres (x int); INSERT INTO in_postgres VALUES (42);");
    }

    private static PgVault allDatabases(Path repo) {
        PgDumpConfig config = PgDumpConfig.builder().connection(source.connection()).allDatabases(true)
                .includeGlobals(true).build();
        return vault(config, repository(repo), encryption("none"));
    }

    @Test
    @DisplayName("every database and the roles, restored into another cluster")
    void wholeClusterIntoAnother(@TempDir Path repo) {
        PgVault vault = allDatabases(repo);
        BackupSet set = vault.backup();

        assertThat(set.source()).isEqualTo("*");
        assertThat(set.objects().get(0).name()).isEqualTo("globals.sql");
        assertThat(set.objects()).extracting(o -> o.attribute("database"))
                .containsExactlyInAnyOrder("", "app1", "postgres", UNICODE);
        assertThat(set.objects()).extracting(StoredObject::name).allSatisfy(n -> assertThat(n).matches(
                "[A-Za-z0-9_=.-]+"));
        assertThat(set.attributes()).containsEntry("databaseCount", "3").containsEntry("globals", "true");
        assertThat(vault.verify(set.id(), true).problems()).isEmpty();

        // "postgres" exists in every cluster, so replacing it must be asked for
        RestoreResult result = vault.restore(RestoreRequest.builder().backupId(set.id())
                .target(target.connection()).includeGlobals(true).dropExisting(true).build());

        PostgresCluster other = target.cluster();
        assertThat(result.databases()).containsExactlyInAnyOrder("app1", "postgres", UNICODE);
        assertThat(result.warnings()).as("roles that already exist are not warnings").isEmpty();
        assertThat(other.queryValue("postgres", PASSWORD_HASH))
                .isEqualTo(source.cluster().queryValue("postgres", PASSWORD_HASH));
        assertThat(other.queryValue("postgres",
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app1'")).isEqualTo("app_owner");
        assertThat(rowCounts(other, "app1")).isEqualTo(Map.of("public.items", 500L));
        assertThat(other.queryValue("app1", "SELECT tableowner FROM pg_tables WHERE tablename = 'items'"))
                .isEqualTo("app_owner");
        assertThat(rowCounts(other, UNICODE)).isEqualTo(Map.of("public.notes", 2L));
        assertThat(other.queryValue("postgres", "SELECT x FROM in_postgres")).isEqualTo("42");
        assertThat(PgDumpTesting.stagingLeftovers(other)).isEmpty();
    }

    @Test
    @DisplayName("restoring over existing databases without dropExisting changes nothing")
    void conflictBeforeAnything(@TempDir Path repo) {
        PgVault vault = allDatabases(repo);
        BackupSet set = vault.backup();
        source.cluster().psql("app1", "INSERT INTO items VALUES (100000, 'added after the backup')");
        try {
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id()).build()))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("app1").hasMessageContaining(UNICODE);
            assertThat(rowCounts(source.cluster(), "app1")).isEqualTo(Map.of("public.items", 501L));
            assertThat(PgDumpTesting.stagingLeftovers(source.cluster())).isEmpty();
        } finally {
            source.cluster().psql("app1", "DELETE FROM items WHERE id = 100000");
        }
    }

    @Test
    @DisplayName("a targetDatabase cannot apply to a set of several databases")
    void targetDatabaseNeedsOneDatabase(@TempDir Path repo) {
        PgVault vault = allDatabases(repo);
        BackupSet set = vault.backup();
        assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x")
                .build())).isInstanceOf(ConfigurationException.class).hasMessageContaining("targetDatabase");
        assertThat(source.cluster().databaseExists("x")).isFalse();
    }

    @Test
    @DisplayName("a list of named databases, in plain format; a name that does not exist is refused")
    void namedDatabases(@TempDir Path repo) {
        PgDumpConfig config = PgDumpConfig.builder().connection(source.connection()).format(DumpFormat.PLAIN)
                .database("app1").database(UNICODE).build();
        BackupSet set = vault(config, repository(repo), encryption("none")).backup();
        assertThat(set.source()).isEqualTo("app1," + UNICODE);
        assertThat(set.objects()).extracting(o -> o.attribute("database")).containsExactly("app1", UNICODE);

        PgDumpConfig missing = config.toBuilder().database("no_such_db").build();
        PgVault vault = vault(missing, repository(repo.resolve("other")), encryption("none"));
        assertThatThrownBy(vault::backup).hasMessageContaining("no_such_db");
        assertThat(vault.list()).isEmpty();
    }
}
