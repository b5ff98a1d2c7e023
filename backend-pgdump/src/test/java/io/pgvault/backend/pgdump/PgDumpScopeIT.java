package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.rowCounts;
import static io.pgvault.backend.pgdump.PgDumpTesting.vault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is dumped (schema-only, schemas, tables, owners, privileges) and what is restored (selective restore). */
class PgDumpScopeIT {
    private static final String SOURCE = "scope";
    private static final String COPY = "scope_copy";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @BeforeAll
    static void createSource() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase(SOURCE);
        cluster.psql(SOURCE, """
                CREATE ROLE scope_reader NOLOGIN;
                CREATE SCHEMA a;
                CREATE SCHEMA b;
                CREATE TABLE a.t1 (id int PRIMARY KEY, v text);
                INSERT INTO a.t1 SELECT g, 'a1-' || g FROM generate_series(1, 100) g;
                CREATE TABLE a.t2 (id serial PRIMARY KEY, v text);
                INSERT INTO a.t2 (v) SELECT 'a2-' || g FROM generate_series(1, 50) g;
                CREATE TABLE b.t3 (id int, v text);
                INSERT INTO b.t3 SELECT g, 'b3' FROM generate_series(1, 10) g;
                GRANT USAGE ON SCHEMA a TO scope_reader;
                GRANT SELECT ON a.t1 TO scope_reader;
                """);
    }

    @AfterEach
    void dropCopy() {
        pg.cluster().dropDatabase(COPY);
    }

    private static PgVault vault(Path repo, UnaryOperator<PgDumpConfig.Builder> options) {
        PgDumpConfig config = options.apply(PgDumpConfig.builder().connection(pg.connection(SOURCE))).build();
        return PgDumpTesting.vault(config, repository(repo), encryption("none"));
    }

    static Stream<Arguments> scopes() {
        return Stream.of(
                Arguments.of("schema only", (UnaryOperator<PgDumpConfig.Builder>) b -> b.schemaOnly(true),
                        Map.of("a.t1", 0L, "a.t2", 0L, "b.t3", 0L)),
                Arguments.of("include schema a", (UnaryOperator<PgDumpConfig.Builder>) b -> b.includeSchema("a"),
                        Map.of("a.t1", 100L, "a.t2", 50L)),
                Arguments.of("exclude schema b", (UnaryOperator<PgDumpConfig.Builder>) b -> b.excludeSchema("b"),
                        Map.of("a.t1", 100L, "a.t2", 50L)),
                Arguments.of("include table a.t1", (UnaryOperator<PgDumpConfig.Builder>) b -> b.includeTable("a.t1"),
                        Map.of("a.t1", 100L)),
                Arguments.of("exclude table a.t2", (UnaryOperator<PgDumpConfig.Builder>) b -> b.excludeTable("a.t2"),
                        Map.of("a.t1", 100L, "b.t3", 10L)),
                Arguments.of("plain, exclude table pattern b.*",
                        (UnaryOperator<PgDumpConfig.Builder>) b -> b.format(DumpFormat.PLAIN).excludeTable("b.*"),
                        Map.of("a.t1", 100L, "a.t2", 50L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scopes")
    @DisplayName("the dump holds exactly the configured scope")
    void scope(String description, UnaryOperator<PgDumpConfig.Builder> options, Map<String, Long> expected,
            @TempDir Path repo) {
        PgVault vault = vault(repo, options);
        BackupSet set = vault.backup();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY).build());
        assertThat(rowCounts(pg.cluster(), COPY)).isEqualTo(expected);
    }

    @Test
    @DisplayName("noOwner and noPrivileges leave GRANTs and owners out, and are recorded")
    void noOwnerNoPrivileges(@TempDir Path repo) {
        PgVault vault = vault(repo, b -> b.noOwner(true).noPrivileges(true));
        BackupSet set = vault.backup();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY).build());

        assertThat(set.attributes()).containsEntry("pgDumpOptions", "--no-owner --no-privileges");
        String granted = "SELECT has_table_privilege('scope_reader', 'a.t1', 'SELECT')";
        assertThat(pg.cluster().queryValue(SOURCE, granted)).isEqualTo("t");
        assertThat(pg.cluster().queryValue(COPY, granted)).isEqualTo("f");
        assertThat(rowCounts(pg.cluster(), COPY)).containsEntry("a.t1", 100L);
    }

    @Nested
    @DisplayName("selective restore")
    class Selective {
        @Test
        @DisplayName("one table of a custom dump: only that table, with its rows")
        void oneTable(@TempDir Path repo) {
            PgVault vault = vault(repo, b -> b.format(DumpFormat.CUSTOM));
            BackupSet set = vault.backup();
            vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY).table("a.t1").build());
            assertThat(rowCounts(pg.cluster(), COPY)).isEqualTo(Map.of("a.t1", 100L));
        }

        @Test
        @DisplayName("one schema of a directory dump, in parallel: everything in it, indexes included")
        void oneSchema(@TempDir Path repo) {
            PgVault vault = vault(repo, b -> b.format(DumpFormat.DIRECTORY).jobs(2));
            BackupSet set = vault.backup();
            vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY).schema("a").jobs(2)
                    .build());
            assertThat(rowCounts(pg.cluster(), COPY)).isEqualTo(Map.of("a.t1", 100L, "a.t2", 50L));
            assertThat(pg.cluster().queryValue(COPY, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'a'"))
                    .isEqualTo("2");
        }

        @Test
        @DisplayName("a plain dump refuses a selective restore before creating anything")
        void plainRefuses(@TempDir Path repo) {
            PgVault vault = vault(repo, b -> b.format(DumpFormat.PLAIN));
            BackupSet set = vault.backup();
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY)
                    .table("a.t1").build()))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("plain");
            assertThat(pg.cluster().databaseExists(COPY)).isFalse();
        }
    }

    @Test
    @DisplayName("a database with a unicode name gets a safe object key and restores under its own name")
    void unicodeDatabaseName(@TempDir Path repo) {
        String name = "Ünïcødé db 🐘 \"q\" a.b";
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase(name);
        cluster.psql(name, "CREATE TABLE \"tä\" (x int); INSERT INTO \"tä\" VALUES (1), (2);");
        PgVault vault = PgDumpTesting.vault(PgDumpConfig.builder().connection(pg.connection(name)).build(),
                repository(repo), encryption("none"));
        BackupSet set = vault.backup();

        assertThat(set.objects()).singleElement().satisfies(o -> {
            assertThat(ObjectKeys.validate(o.name())).isEqualTo(o.name());
            assertThat(o.attributes()).containsEntry("database", name);
        });
        assertThat(set.source()).isEqualTo(name);
        assertThat(vault.verify(set.id(), true).problems()).isEmpty();

        cluster.dropDatabase(name);
        vault.restore(RestoreRequest.builder().backupId(set.id()).build());
        assertThat(rowCounts(cluster, name)).isEqualTo(Map.of("public.\"tä\"", 2L));
        cluster.dropDatabase(name);
    }
}
