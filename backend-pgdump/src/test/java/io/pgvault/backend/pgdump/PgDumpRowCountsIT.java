package io.pgvault.backend.pgdump;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.rowCounts;
import static org.assertj.core.api.Assertions.assertThat;

/** The exact per-table row counts a set records, taken in the dump's own snapshot. */
class PgDumpRowCountsIT {
    private static final String SOURCE = "counts";
    private static final String COPY = "counts_copy";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @BeforeAll
    static void createSource() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase(SOURCE);
        cluster.psql(SOURCE, """
                CREATE SCHEMA a;
                CREATE SCHEMA "Odd | Schema";
                CREATE TABLE a.t1 (id int PRIMARY KEY, v text);
                INSERT INTO a.t1 SELECT g, 'a1-' || g FROM generate_series(1, 100) g;
                CREATE TABLE a.busy (id bigserial PRIMARY KEY, v text);
                INSERT INTO a.busy (v) SELECT 'b' FROM generate_series(1, 1000) g;
                CREATE TABLE "Odd | Schema"."t 3" (id int);
                INSERT INTO "Odd | Schema"."t 3" SELECT g FROM generate_series(1, 10) g;
                CREATE TABLE a.parted (id int) PARTITION BY RANGE (id);
                CREATE TABLE a.parted_1 PARTITION OF a.parted FOR VALUES FROM (0) TO (50);
                CREATE TABLE a.parted_2 PARTITION OF a.parted FOR VALUES FROM (50) TO (100);
                INSERT INTO a.parted SELECT g FROM generate_series(0, 99) g WHERE g % 3 = 0;
                CREATE UNLOGGED TABLE a.scratch (id int);
                INSERT INTO a.scratch VALUES (1), (2);
                CREATE MATERIALIZED VIEW a.mv AS SELECT * FROM a.t1;
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

    static Map<String, Map<String, Long>> recorded(BackupSet set) {
        try {
            return new ObjectMapper().readValue(set.attribute("rowCounts").orElseThrow(), new TypeReference<>() {
            });
        } catch (java.io.IOException e) {
            throw new AssertionError("rowCounts is not JSON: " + set.attribute("rowCounts"), e);
        }
    }

    static Stream<Arguments> scopes() {
        Map<String, Long> all = Map.of("a.t1", 100L, "a.busy", 1000L, "\"Odd | Schema\".\"t 3\"", 10L,
                "a.parted_1", 17L, "a.parted_2", 17L, "a.scratch", 2L);
        return Stream.of(
                Arguments.of("whole database, custom", (UnaryOperator<PgDumpConfig.Builder>) b -> b, all),
                Arguments.of("whole database, directory with two jobs",
                        (UnaryOperator<PgDumpConfig.Builder>) b -> b.format(DumpFormat.DIRECTORY).jobs(2), all),
                Arguments.of("include schema a", (UnaryOperator<PgDumpConfig.Builder>) b -> b.includeSchema("a"),
                        Map.of("a.t1", 100L, "a.busy", 1000L, "a.parted_1", 17L, "a.parted_2", 17L,
                                "a.scratch", 2L)),
                Arguments.of("include table a.t1", (UnaryOperator<PgDumpConfig.Builder>) b -> b.includeTable("a.t1"),
                        Map.of("a.t1", 100L)),
                Arguments.of("plain, exclude table pattern a.*",
                        (UnaryOperator<PgDumpConfig.Builder>) b -> b.format(DumpFormat.PLAIN).excludeTable("a.*"),
                        Map.of("\"Odd | Schema\".\"t 3\"", 10L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scopes")
    @DisplayName("the set records the exact count of every table the dump holds, and the restore has those counts")
    void recordsWhatTheDumpHolds(String description, UnaryOperator<PgDumpConfig.Builder> options,
            Map<String, Long> expected, @TempDir Path repo) {
        PgVault vault = vault(repo, options);
        BackupSet set = vault.backup();

        assertThat(recorded(set)).containsOnlyKeys(SOURCE);
        assertThat(recorded(set).get(SOURCE)).isEqualTo(expected);
        assertThat(set.attribute("rowCountsSkipped")).isEmpty();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY).build());
        Map<String, Long> restored = new java.util.HashMap<>(rowCounts(pg.cluster(), COPY));
        restored.remove("a.mv");
        assertThat(restored).isEqualTo(expected);
    }

    @Test
    @DisplayName("counts match the dump although a writer commits rows all through the backup")
    void sameSnapshotAsTheDump(@TempDir Path repo) {
        PostgresCluster cluster = pg.cluster();
        cluster.psql(SOURCE, "CREATE TABLE public.stop_writer (stop boolean)");
        PgVault vault = vault(repo, b -> b.excludeTable("public.stop_writer"));
        CompletableFuture<String> writer = CompletableFuture.supplyAsync(() -> cluster.psql(SOURCE, """
                DO $$
                BEGIN
                    FOR i IN 1..1000000 LOOP
                        INSERT INTO a.busy (v) VALUES ('w');
                        COMMIT;
                        EXIT WHEN EXISTS (SELECT FROM public.stop_writer);
                    END LOOP;
                END
                $$;
                """));
        BackupSet set;
        long after;
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Long.parseLong(
                    cluster.queryValue(SOURCE, "SELECT count(*) FROM a.busy")) > 1100);
            set = vault.backup();
            after = Long.parseLong(cluster.queryValue(SOURCE, "SELECT count(*) FROM a.busy"));
        } finally {
            cluster.psql(SOURCE, "INSERT INTO public.stop_writer VALUES (true)");
            writer.join();
            cluster.psql(SOURCE, "DROP TABLE public.stop_writer");
        }
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(COPY).build());
        cluster.psql(SOURCE, "DELETE FROM a.busy WHERE v = 'w'");

        long counted = recorded(set).get(SOURCE).get("a.busy");
        assertThat(counted).as("rows were being written when the snapshot was taken").isGreaterThan(1100L)
                .isLessThan(after);
        assertThat(rowCounts(cluster, COPY)).containsEntry("a.busy", counted);
    }

    @Test
    @DisplayName("schema-only dumps and rowCounts(false) record no counts, and say why")
    void skipped(@TempDir Path repo) {
        BackupSet schemaOnly = vault(repo, b -> b.schemaOnly(true)).backup();
        assertThat(schemaOnly.attribute("rowCounts")).isEmpty();
        assertThat(schemaOnly.attribute("rowCountsSkipped")).contains(SOURCE + ": schema-only dump");

        BackupSet off = vault(repo, b -> b.rowCounts(false)).backup();
        assertThat(off.attributes()).doesNotContainKeys("rowCounts", "rowCountsSkipped");
    }
}
