package io.pgvault.examples;

import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class QuickstartIT {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @TempDir
    Path backups;

    @Test
    @DisplayName("with nothing configured, it backs up a demo database into the backup directory and proves the "
            + "restore")
    void demo() throws IOException {
        Run run = quickstart(Map.of(), "--demo", "--backup-dir", backups.toString());

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("RESULT: PASS", "database \"pgvault_demo\" on throwaway PostgreSQL",
                "deep (checksums", "compression ratio", "tables match exactly");
        assertThat(manifests()).hasSize(1);
        assertThat(run.output).doesNotContain("DIFFERENT");
    }

    @Test
    @DisplayName("given a server on the command line, it backs up that database, restores a checked copy and "
            + "drops it")
    void existingServer() throws IOException {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("shop");
        DemoDatabase.awkward().applyTo(cluster, "shop");
        long rows = DemoDatabase.rowCounts(cluster, "shop").values().stream().mapToLong(Long::longValue).sum();

        Run run = quickstart(Map.of(), "--host", cluster.host(), "--port", Integer.toString(cluster.port()),
                "--user", cluster.user(), "--database", "shop", backups.toString());

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("RESULT: PASS",
                "database \"shop\" on PostgreSQL at 127.0.0.1:" + cluster.port(),
                "(" + Units.count(rows) + " rows)", "dropped     \"shop_pgvault_check_");
        assertThat(manifests()).hasSize(1);
        assertThat(cluster.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'shop_pgvault%'"))
                .as("the checked copy is dropped").isEmpty();
    }

    @Test
    @DisplayName("--encrypt stores age-encrypted objects with the passphrase from PGVAULT_PASSPHRASE; "
            + "--keep-restored keeps the copy")
    void encryptedAndKept() throws IOException {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase("ledger");
        DemoDatabase.realistic(1).applyTo(cluster, "ledger");

        Run run = quickstart(Map.of("PGVAULT_PASSPHRASE", "correct horse battery staple"), "--encrypt",
                "--keep-restored", "--host=" + cluster.host(), "--port=" + cluster.port(), "--database=ledger",
                backups.toString());

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("RESULT: PASS", "encrypted (age-scrypt)",
                "kept        \"ledger_pgvault_check_");
        try (Stream<Path> files = Files.walk(backups.resolve("data"))) {
            // the dump, and the set's key file (its own age key, encrypted with the passphrase: ADR 0003)
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .hasSize(2).contains("set-key.age").anySatisfy(n -> assertThat(n).endsWith(".dump.zst.age"));
        }
        assertThat(cluster.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'ledger_pgvault%'"))
                .hasSize(1);
    }

    @Test
    @DisplayName("the proof fails on one changed value, one missing row and one missing index")
    void proofSeesDifferences() {
        PostgresCluster cluster = pg.cluster();
        for (String db : List.of("left_db", "right_db")) {
            cluster.createDatabase(db);
            DemoDatabase.realistic(1).applyTo(cluster, db);
        }
        PgTools left = new PgTools(cluster.connection("left_db"), ProcessRunner.local());
        PgTools right = left.on("right_db");
        assertThat(RestoreProof.compare(left, right).passed()).as("identical builds match").isTrue();

        cluster.psql("right_db", "UPDATE shop.customers SET email = email || 'x' WHERE id = 17");
        assertThat(RestoreProof.compare(left, right).differences())
                .containsExactly("table shop.customers: same row count (1000) but different row contents");

        cluster.psql("right_db", "DELETE FROM shop.order_items WHERE order_id = 1 AND line_no = 1");
        assertThat(RestoreProof.compare(left, right).differences())
                .contains("table shop.order_items: 9000 rows in the source, 8999 restored");

        cluster.psql("right_db", "DROP INDEX shop.orders_ordered_at_idx");
        assertThat(RestoreProof.compare(left, right).differences())
                .anyMatch(d -> d.startsWith("schema dumps differ"));
    }

    @Test
    @DisplayName("a password given as an argument is refused, and bad options print the usage")
    void refusesPasswordArguments() {
        Run run = quickstart(Map.of(), "--password", "hunter2");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).contains("PGPASSWORD", "usage: quickstart");

        assertThat(quickstart(Map.of(), "--encrypt", "--demo").output).contains("PGVAULT_PASSPHRASE");
        assertThat(Quickstart.checkDatabaseName("x".repeat(60), Instant.parse("2026-01-02T03:04:05Z")))
                .hasSize(63).endsWith("_pgvault_check_20260102_030405");
    }

    private List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(backups.resolve("manifests"))) {
            return files.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }

    private static Run quickstart(Map<String, String> env, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = Quickstart.run(args, env, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        return new Run(code, output);
    }

    private record Run(int exitCode, String output) {
    }
}
