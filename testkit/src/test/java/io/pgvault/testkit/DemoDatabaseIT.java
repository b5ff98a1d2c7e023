package io.pgvault.testkit;

import com.github.luben.zstd.ZstdOutputStream;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DemoDatabaseIT {

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @Test
    @DisplayName("the awkward database builds quickly and holds every kind of object it promises")
    void awkwardBuilds() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("awkward");
        long t0 = System.nanoTime();
        DemoDatabase.awkward().applyTo(cluster, "awkward");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("awkward database built in " + millis + " ms");
        assertThat(millis).isLessThan(15_000);

        assertThat(column(cluster, "SELECT nspname FROM pg_namespace WHERE nspname !~ '^(pg_|information_schema)' "
                + "ORDER BY 1")).containsExactly("Mixed Case \"Schema\"", "app", "bulk", "données", "public");
        assertThat(value(cluster, "SELECT count(*) FROM pg_tables WHERE schemaname = 'bulk'"))
                .isEqualTo(Integer.toString(DemoDatabase.AWKWARD_BULK_TABLES));
        assertThat(value(cluster, "SELECT count(*) FROM pg_largeobject_metadata"))
                .isEqualTo(Integer.toString(DemoDatabase.AWKWARD_LARGE_OBJECTS));
        assertThat(value(cluster, "SELECT max(length(lo_get(oid))) FROM pg_largeobject_metadata")).isEqualTo("1048576");
        assertThat(value(cluster, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname IN ('app', 'données', 'Mixed Case \"Schema\"') AND c.relkind = 'r'")).isEqualTo("13");
        assertThat(value(cluster, "SELECT string_agg(relkind::text, '' ORDER BY relkind) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('app', 'données') "
                + "AND relkind IN ('v', 'm', 'p')")).isEqualTo("mpvv");
        assertThat(value(cluster, "SELECT \"名前\" FROM \"données\".\"ユーザー\" WHERE id = 2"))
                .isEqualTo("😀👍🏽👨‍👩‍👧‍👦");
        assertThat(value(cluster, "SELECT length(b) || ' ' || md5(b) FROM app.values WHERE id = 3"))
                .isEqualTo("256 e2c865db4162bed963bfaa9ef6ac18f0");
        assertThat(cluster.query("awkward", "SELECT t IS NULL, t = '' FROM app.values WHERE id IN (1, 2) ORDER BY id"))
                .containsExactly(java.util.Arrays.asList("t", null), List.of("f", "t"));
        assertThat(value(cluster, "SELECT last_value FROM pg_sequences WHERE sequencename = 'invoice_no'"))
                .isEqualTo("424424");
        assertThat(value(cluster, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")).isEqualTo("1");
        assertThat(value(cluster, "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                + "WHERE n.nspname = 'app' AND t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND t.typname = 'address')"))
                .isEqualTo("4");
        assertThat(value(cluster, "SELECT has_table_privilege('" + DemoDatabase.READER_ROLE + "', 'app.values', "
                + "'SELECT')")).isEqualTo("t");
        assertThat(value(cluster, "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'app.line_items'::regclass "
                + "AND attname = 'total'")).isEqualTo("s");

        Map<String, Long> counts = DemoDatabase.rowCounts(cluster, "awkward");
        assertThat(counts).containsEntry("\"données\".\"ユーザー\"", 8L).containsEntry("bulk.t_001", 2L)
                .containsEntry("app.events_default", 134L).containsEntry("app.events_per_kind", 3L)
                .doesNotContainKey("app.events").containsEntry("app.no_columns", 0L);
        assertThat(counts).hasSize(DemoDatabase.AWKWARD_BULK_TABLES + 14);
    }

    @Test
    @DisplayName("the awkward database survives pg_dump and pg_restore with an identical fingerprint")
    void awkwardRoundTrip(@TempDir Path tmp) {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("awkward source");
        DemoDatabase.awkward().applyTo(cluster, "awkward source");
        Map<String, String> before = DemoDatabase.fingerprint(cluster, "awkward source");
        assertThat(before).containsKey("large objects").containsKey("sequence app.invoice_no")
                .containsKey("table \"données\".\"ユーザー\"");

        Path dump = tmp.resolve("awkward.dump");
        run(cluster, "pg_dump", "-Fc", "-f", dump.toString(), "-d", conninfo(cluster, "awkward source"));
        cluster.createDatabase("awkward copy ✓");
        run(cluster, "pg_restore", "--exit-on-error", "-d", conninfo(cluster, "awkward copy ✓"), dump.toString());

        assertThat(DemoDatabase.fingerprint(cluster, "awkward copy ✓")).isEqualTo(before);
        assertThat(DemoDatabase.rowCounts(cluster, "awkward copy ✓"))
                .isEqualTo(DemoDatabase.rowCounts(cluster, "awkward source"));
    }

    @Test
    @DisplayName("the realistic shop has the documented row counts, twice as many at scale 2")
    void realistic() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("shop");
        DemoDatabase.realistic(2).applyTo(cluster, "shop");
        Map<String, Long> counts = DemoDatabase.rowCounts(cluster, "shop");
        assertThat(counts).containsEntry("shop.customers", 2000L).containsEntry("shop.products", 400L)
                .containsEntry("shop.orders", 6000L).containsEntry("shop.order_items", 18000L)
                .containsEntry("shop.audit_log", 6000L + 6000 / 97);
        assertThat(cluster.queryValue("shop", "SELECT count(*) FROM shop.order_summary WHERE total > 0"))
                .isEqualTo("6000");
    }

    @Test
    @DisplayName("random text fills about the asked size and compresses about 2:1 with zstd, not 35:1")
    void randomText() throws IOException {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("text");
        DemoDatabase.randomText(16).applyTo(cluster, "text");
        long bytes = Long.parseLong(cluster.queryValue("text",
                "SELECT pg_relation_size('" + DemoDatabase.RANDOM_TEXT_TABLE + "')"));
        assertThat(bytes).isBetween(14L << 20, 18L << 20);
        assertThat(DemoDatabase.rowCounts(cluster, "text")).containsExactly(Map.entry("public.random_text", 16 * RandomText.ROWS_PER_MIB));
        assertThat(cluster.queryValue("text", "SELECT count(DISTINCT body) FROM public.random_text"))
                .isEqualTo(Long.toString(16 * RandomText.ROWS_PER_MIB));

        CountingStream plain = new CountingStream();
        CountingStream compressed = new CountingStream();
        ToolCommand dump = ToolCommand.builder("pg_dump", cluster.binDir().resolve("pg_dump").toString())
                .arg("-Fp", "-d", conninfo(cluster, "text")).timeout(Duration.ofMinutes(5)).build();
        try (ToolProcess p = ProcessRunner.local().start(dump);
             ZstdOutputStream zstd = new ZstdOutputStream(compressed, 3)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = p.stdout().read(buf)) >= 0) {
                plain.write(buf, 0, n);
                zstd.write(buf, 0, n);
            }
            p.await();
        }
        double ratio = (double) plain.count / compressed.count;
        System.out.printf("random text: %d MiB heap, %d MiB plain dump, zstd -3 ratio %.2f%n", bytes >> 20,
                plain.count >> 20, ratio);
        assertThat(ratio).isBetween(1.5, 3.0);
    }

    @Test
    @EnabledIfSystemProperty(named = "pgvault.testkit.bigText", matches = "true")
    @DisplayName("400 MiB of random text builds in reasonable time (run with -Dpgvault.testkit.bigText=true)")
    void bigRandomText() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("big");
        long t0 = System.nanoTime();
        DemoDatabase.randomText(400).applyTo(cluster, "big");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        String size = cluster.queryValue("big", "SELECT pg_size_pretty(pg_relation_size('public.random_text')) || ' heap, '"
                + " || pg_size_pretty(pg_total_relation_size('public.random_text')) || ' total'");
        System.out.println("randomText(400) built in " + millis + " ms: " + size);
        cluster.dropDatabase("big");
    }

    private static String value(PostgresCluster cluster, String sql) {
        return cluster.queryValue("awkward", sql);
    }

    private static List<String> column(PostgresCluster cluster, String sql) {
        return cluster.query("awkward", sql).stream().map(r -> r.get(0)).toList();
    }

    private static String conninfo(PostgresCluster cluster, String database) {
        return Psql.conninfo(cluster.host(), cluster.port(), cluster.user(), database);
    }

    private static void run(PostgresCluster cluster, String tool, String... args) {
        ProcessRunner.local().run(ToolCommand.builder(tool, cluster.binDir().resolve(tool).toString()).arg(args)
                .timeout(Duration.ofMinutes(5)).build());
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
