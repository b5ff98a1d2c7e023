package io.pgvault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvault.api.AgeKeys;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The logical runbook with the real command, as a subprocess from its distribution, against a real PostgreSQL 15:
 * backup, list, verify, restore over the live database, prune, health, a drill; bad configuration and a damaged set.
 * The steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliLogicalIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();
    @TempDir
    static Path dir;

    static final String PASSWORD = "cli-it-password-" + Long.toHexString(System.nanoTime());
    static String identity;
    static Map<String, String> env;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() throws Exception {
        PG.cluster().createDatabase("app");
        PG.cluster().psql("app", "CREATE TABLE orders(id int PRIMARY KEY, note text); "
                + "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 1000) g;");
        identity = AgeKeys.generateIdentity().reveal();
        Files.writeString(dir.resolve("age.key"), identity + "\n");
        Files.writeString(dir.resolve("pgvault.yml"), """
                pgvault:
                  database: {host: %s, port: %d, user: %s, name: app, password: "env:CLI_IT_PASSWORD"}
                  dump: {format: custom}
                  repository:
                    local: {path: %s}
                  pipeline: {identity: "file:%s"}
                  tiers:
                    - name: copy
                      repository: {local: {path: %s}}
                  retention: {keep-last: 1}
                  drill: {amcheck: false}
                """.formatted(PG.cluster().host(), PG.cluster().port(), PG.cluster().user(), dir.resolve("repo"),
                dir.resolve("age.key"), dir.resolve("tier")));
        env = Map.of("PGVAULT_CONFIG", dir.resolve("pgvault.yml").toString(), "CLI_IT_PASSWORD", PASSWORD);
    }

    private static Cli.Result pgvault(String... args) {
        return Cli.run(dir, env, args);
    }

    private static int rows() {
        return Integer.parseInt(PG.cluster().queryValue("app", "SELECT count(*) FROM orders").trim());
    }

    @Test
    @Order(1)
    @DisplayName("backup, then list shows the set (table and --json); no secret is on any process's command line "
            + "while it runs")
    void backupAndList() throws Exception {
        Set<String> leaks = ConcurrentHashMap.newKeySet();
        Process backup = Cli.start(dir, env, "backup");
        while (backup.isAlive()) {
            scanCommandLines(leaks);
        }
        assertThat(backup.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
        assertThat(leaks).as("command lines holding a secret").isEmpty();
        assertThat(Files.readString(dir.resolve("out.txt"))).startsWith("backed up ");

        Cli.Result list = pgvault("list");
        assertThat(list.code()).as(list.toString()).isZero();
        assertThat(list.out()).contains("SET", "LOGICAL", "AUTHENTICATED");
        JsonNode sets = JSON.readTree(pgvault("list", "--json").out());
        assertThat(sets).hasSize(1);
        assertThat(sets.get(0).get("source").asText()).isEqualTo("app");
        assertThat(pgvault("show", "latest").out()).contains("app.dump.zst.age");
    }

    private static void scanCommandLines(Set<String> leaks) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains(PASSWORD) || cmd.contains(identity) || cmd.contains("AGE-SECRET-KEY-1")) {
                        leaks.add(p + ": " + cmd.replace('\0', ' '));
                    }
                } catch (Exception e) {
                    // the process ended meanwhile
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(2)
    @DisplayName("verify --deep passes; restore --drop-existing is refused without --yes off a terminal (exit 2) and "
            + "brings the rows back with it")
    void verifyAndRestore() {
        Cli.Result verify = pgvault("verify", "--deep");
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains(" ok (deep)");

        PG.cluster().psql("app", "DELETE FROM orders WHERE id > 500");
        Cli.Result refused = pgvault("restore", "--drop-existing");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("refused without --yes");
        assertThat(rows()).isEqualTo(500);

        Cli.Result restore = pgvault("restore", "--drop-existing", "--yes");
        assertThat(restore.code()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("restored ").contains(" into app");
        assertThat(rows()).isEqualTo(1000);
    }

    @Test
    @Order(3)
    @DisplayName("prune is a dry run with reasons until --execute --yes; health --json parses")
    void pruneAndHealth() throws Exception {
        assertThat(pgvault("backup").code()).isZero();
        Cli.Result dry = pgvault("prune");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("delete ").contains("keep ").contains("DRY RUN");
        assertThat(JSON.readTree(pgvault("list", "--json").out())).hasSize(2);

        JsonNode plan = JSON.readTree(pgvault("prune", "--json").out());
        assertThat(plan.get("mode").asText()).isEqualTo("DRY_RUN");
        assertThat(plan.get("removed")).hasSize(1);

        Cli.Result executed = pgvault("prune", "--execute", "--yes");
        assertThat(executed.code()).as(executed.toString()).isZero();
        assertThat(JSON.readTree(pgvault("list", "--json").out())).hasSize(1);

        Cli.Result health = pgvault("health", "--json");
        assertThat(health.code()).as(health.toString()).isZero();
        JsonNode report = JSON.readTree(health.out());
        assertThat(report.get("status").asText()).isIn("OK", "WARNING");
        List<String> names = new ArrayList<>();
        report.get("checks").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).contains("backup-age");
    }

    @Test
    @Order(4)
    @DisplayName("a drill restores the newest set into a throwaway server and passes")
    void drill() {
        Cli.Result drill = pgvault("drill");
        assertThat(drill.code()).as(drill.toString()).isZero();
        assertThat(drill.out()).containsIgnoringCase("pass");
    }

    @Test
    @Order(4)
    @DisplayName("a drill of a chosen set with the operator's assertions: a true one passes, a false one fails the "
            + "drill (exit 1) and names it, a malformed one is refused (exit 2)")
    void drillChosenSetWithAssertions() throws Exception {
        JsonNode sets = JSON.readTree(pgvault("list", "--json").out());
        JsonNode idNode = sets.get(0).get("id");
        String id = idNode.isTextual() ? idNode.asText() : idNode.get("value").asText();

        Cli.Result passed = pgvault("drill", "--set", id, "--assert", "has tables=SELECT count(*) > 0 FROM pg_class");
        assertThat(passed.code()).as(passed.toString()).isZero();
        assertThat(passed.out()).contains(id).contains("has tables");

        Cli.Result failed = pgvault("drill", "--set", id, "--assert", "never true=SELECT false");
        assertThat(failed.code()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.out()).contains("FAILED").contains("never true");

        Cli.Result malformed = pgvault("drill", "--assert", "no sql here");
        assertThat(malformed.code()).as(malformed.toString()).isEqualTo(2);
        assertThat(malformed.out() + malformed.err()).contains("NAME=SQL");
    }

    @Test
    @Order(5)
    @DisplayName("a damaged set: verify says DAMAGED and restore refuses, both with exit 1 and a clear message; the "
            + "tier's copy restores (--tier, into a server given by --target-host)")
    void damagedSet() throws Exception {
        Path object;
        try (Stream<Path> files = Files.walk(dir.resolve("repo/data"))) {
            object = files.filter(p -> p.getFileName().toString().endsWith(".age")
                    && !p.getFileName().toString().startsWith("set-key")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(object, bytes);

        Cli.Result verify = pgvault("verify");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.out()).contains("DAMAGED");
        Cli.Result restore = pgvault("restore", "--target-database", "app_copy");
        assertThat(restore.code()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.err().lines().filter(l -> l.startsWith("pgvault: ")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains("is corrupt or truncated"));
        assertThat(PG.cluster().databaseExists("app_copy")).isFalse();

        // the tier's copy is intact: restore it, into "another server" given on the command line
        Cli.Result fromTier = pgvault("restore", "--tier", "copy", "--target-database", "app_from_tier",
                "--target-host", PG.cluster().host(), "--target-port", String.valueOf(PG.cluster().port()),
                "--target-user", PG.cluster().user(), "--target-password", "env:CLI_IT_PASSWORD");
        assertThat(fromTier.code()).as(fromTier.toString()).isZero();
        assertThat(PG.cluster().queryValue("app_from_tier", "SELECT count(*) FROM orders").trim()).isEqualTo("1000");
    }

    @Test
    @Order(6)
    @DisplayName("a bad configuration: exit 2, every problem listed with its path, nothing done")
    void badConfiguration() throws Exception {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, """
                pgvault:
                  database: {host: localhost, password: "inline-password-value"}
                  dump: {format: tarball, jobs: 4}
                  repository: {local: {pth: /tmp/x}}
                  retention: {daly: 7}
                """);
        Cli.Result r = pgvault("--config", bad.toString(), "backup");
        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("pgvault.database.password must reference the secret",
                "pgvault.dump.format must be one of", "pgvault.repository.local.path is required",
                "pgvault.repository.local.pth is not a pgvault setting", "pgvault.retention.daly is not a pgvault "
                        + "setting").doesNotContain("inline-password-value");
        Cli.Result usage = pgvault("restore", "--no-such-option");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("Unknown option");
    }
}
