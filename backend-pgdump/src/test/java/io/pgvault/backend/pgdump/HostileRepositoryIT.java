package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.Catalog;
import io.pgvault.api.Compression;
import io.pgvault.api.ConflictException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.StoredObject;
import io.pgvault.api.UnauthenticatedSetException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pgvault.backend.pgdump.PgDumpTesting.databases;
import static io.pgvault.backend.pgdump.PgDumpTesting.stagingLeftovers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A repository written by an attacker (ADR 0013): forged sets, meta-commands for psql, failing loads. Each is refused
 * with a typed error, no canary file appears, and the target cluster's databases and roles are as they were.
 */
class HostileRepositoryIT {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @TempDir
    Path dir;

    @BeforeAll
    static void roles() {
        pg.cluster().psql("postgres", "CREATE ROLE rotated LOGIN PASSWORD 'new-password';");
    }

    private PgVault vault() {
        return PgDumpTesting.vault(PgDumpConfig.builder().connection(pg.connection("postgres")).build(),
                LocalRepository.at(dir.resolve("repo")), Encryption.none());
    }

    /** What an attacker with write access can do: a new set, objects stored plainly, a manifest without a MAC. */
    private BackupSet forge(String globals, Map<String, String> dumps) {
        LocalRepository repo = LocalRepository.at(dir.resolve("repo"));
        Instant now = Instant.now();
        BackupId id = BackupId.generate(now);
        List<StoredObject> objects = new ArrayList<>();
        if (globals != null) {
            objects.add(put(repo, id, "globals.sql", globals, Map.of("role", "globals")));
        }
        dumps.forEach((db, sql) -> objects.add(put(repo, id, db + ".sql", sql, Map.of("role", "dump", "database", db,
                "format", "plain", "owner", "", "encoding", "UTF8"))));
        BackupSet set = new BackupSet(id, PgDumpStrategy.NAME, BackupType.LOGICAL, BackupStatus.COMPLETE, "*", now,
                now, Optional.empty(), objects, Map.of("format", "plain", "noOwner", "true"), Optional.empty());
        new Catalog(repo).commit(set);
        return set;
    }

    private static StoredObject put(LocalRepository repo, BackupId id, String name, String content,
            Map<String, String> attributes) {
        return put(repo, id, name, content.getBytes(StandardCharsets.UTF_8), attributes);
    }

    private static StoredObject put(LocalRepository repo, BackupId id, String name, byte[] bytes,
            Map<String, String> attributes) {
        String key = "data/" + id.value() + "/" + name;
        repo.put(key, out -> out.write(bytes));
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return new StoredObject(name, key, bytes.length, bytes.length, sha, sha, Compression.none(), "none",
                attributes);
    }

    private static Set<String> roleNames() {
        return Set.copyOf(pg.cluster().query("postgres", "SELECT rolname FROM pg_roles").stream()
                .map(r -> r.get(0)).toList());
    }

    private static String password(String role) {
        return pg.cluster().queryValue("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
    }

    private static void keeper(String name) {
        pg.cluster().dropDatabase(name);
        pg.cluster().createDatabase(name);
        pg.cluster().psql(name, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('keep me');");
    }

    private static String marker(String database) {
        return pg.cluster().queryValue(database, "SELECT note FROM marker");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\\! touch CANARY", "\\o |touch CANARY", "SELECT 1; \\! touch CANARY",
            "\\copy (SELECT 1) TO PROGRAM 'touch CANARY'", "COPY (SELECT 1) TO PROGRAM 'touch CANARY';",
            "\\set x `touch CANARY`", "\\connect postgres\nCREATE TABLE escaped (x int);"})
    @DisplayName("a plain dump carrying a psql meta-command or COPY ... PROGRAM: refused when unauthenticated, and "
            + "with the opt-in refused by the script guard before psql sees it; no canary, cluster unchanged")
    void metaCommands(String payload) {
        Path canary = dir.resolve("canary");
        String sql = "CREATE TABLE innocent (x int);\n" + payload.replace("CANARY", canary.toString()) + "\n";
        BackupSet set = forge(null, Map.of("hostile_db", sql));
        Set<String> before = databases(pg.cluster());

        assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(set.id()).build()))
                .isInstanceOf(UnauthenticatedSetException.class);
        assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(set.id())
                .allowUnauthenticated(true).build())).isInstanceOf(UnsafeScriptException.class)
                .hasMessageContaining("line");

        assertThat(canary).doesNotExist();
        assertThat(databases(pg.cluster())).isEqualTo(before);
        assertThat(stagingLeftovers(pg.cluster())).isEmpty();
    }

    @Test
    @DisplayName("a meta-command the lexer cannot see (client encoding switched to SJIS from SQL, whose multibyte "
            + "characters swallow a quote) still never runs: the script is fed under a restrict key of this restore")
    void encodingTrick() {
        Path canary = dir.resolve("canary");
        java.io.ByteArrayOutputStream sql = new java.io.ByteArrayOutputStream();
        sql.writeBytes("SELECT set_config('client_encoding', 'S'||'JIS', false);\nSELECT '".getBytes(
                StandardCharsets.US_ASCII));
        sql.write(0x82);
        sql.writeBytes(("', ' \\! touch " + canary + " # ';\n").getBytes(StandardCharsets.US_ASCII));
        LocalRepository repo = LocalRepository.at(dir.resolve("repo"));
        Instant now = Instant.now();
        BackupId id = BackupId.generate(now);
        StoredObject dump = put(repo, id, "enc_db.sql", sql.toByteArray(), Map.of("role", "dump", "database",
                "enc_db", "format", "plain", "owner", "", "encoding", "UTF8"));
        BackupSet set = new BackupSet(id, PgDumpStrategy.NAME, BackupType.LOGICAL, BackupStatus.COMPLETE, "enc_db",
                now, now, Optional.empty(), List.of(dump), Map.of("format", "plain", "noOwner", "true"),
                Optional.empty());
        new Catalog(repo).commit(set);
        Set<String> before = databases(pg.cluster());

        assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(set.id())
                .allowUnauthenticated(true).build())).isInstanceOf(PgVaultException.class);
        assertThat(canary).doesNotExist();
        assertThat(databases(pg.cluster())).isEqualTo(before);
    }

    @Test
    @DisplayName("a load cut short where killing the client does not stop psql (ssh, docker exec: modelled with "
            + "setsid) commits nothing: psql sees end of input inside pgvault's transaction, not a commit")
    void cutShortCommitsNothing() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")),
                "setsid (util-linux) is not installed");
        io.pgvault.spi.process.Launcher detached = new io.pgvault.spi.process.Launcher() {
            @Override
            public List<String> wrap(List<String> command, Set<String> envNames) {
                if (!command.get(0).endsWith("psql") || command.contains("-A") || !command.contains("-f")) {
                    return command; // control statements run as usual
                }
                // like ssh: a local client (cat) relays the input to a tool that is not this process's descendant
                // (setsid forks it away); killing the client only ends the tool's input
                List<String> out = new ArrayList<>(List.of("sh", "-c", "cat | setsid --fork \"$@\"", "sh"));
                out.addAll(command);
                return out;
            }

            @Override
            public String describe() {
                return "detached (as ssh leaves a remote tool)";
            }
        };
        // a role (cluster-wide) first, then a stream that fails, as a digest mismatch at the end does
        StringBuilder text = new StringBuilder("CREATE ROLE cut_short_role;\n");
        while (text.length() < 32 * 1024) { // past every buffer on the way: psql runs the first statement
            text.append("-- padding padding padding padding padding padding padding padding padding padding\n");
        }
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        java.io.InputStream failing = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head),
                new java.io.InputStream() {
                    @Override
                    public int read() {
                        // fail only once psql has run the first statement and waits, inside its transaction
                        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> !pg.cluster().query("postgres",
                                "SELECT pid FROM pg_stat_activity WHERE datname = 'cut_stage'"
                                        + " AND state = 'idle in transaction'").isEmpty());
                        throw new io.pgvault.api.IntegrityException("object x is corrupt (simulated)");
                    }
                });
        io.pgvault.spi.ReadContext ctx = new io.pgvault.spi.ReadContext() {
            @Override
            public java.io.InputStream openObject(StoredObject object) {
                return failing;
            }

            @Override
            public void verifyStored(StoredObject object) {
            }

            @Override
            public ProcessRunner processes() {
                return new ProcessRunner(detached);
            }

            @Override
            public Path scratchDirectory() {
                return dir;
            }
        };
        pg.cluster().dropDatabase("cut_stage");
        pg.cluster().createDatabase("cut_stage");
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection("postgres")).build();
        StoredObject object = new StoredObject("cut.sql", "data/x/cut.sql", 1, 1, "0".repeat(64), "0".repeat(64),
                Compression.none(), "none", Map.of());
        RestoreTarget target = new RestoreTarget("cut", "cut", List.of(object), "", "UTF8");
        try (PgSession session = PgSession.open(pg.connection("postgres"), new ProcessRunner(detached), config)) {
            assertThatThrownBy(() -> DumpLoader.load(session, ctx, DumpFormat.PLAIN, RestoreRequest.builder().build(),
                    target, "cut_stage", null)).isInstanceOf(io.pgvault.api.IntegrityException.class);
        }
        // psql, out of reach, sees the end of its input: inside pgvault's BEGIN it rolls back, never commits
        await().during(java.time.Duration.ofSeconds(2)).atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !roleNames().contains("cut_short_role"));
        pg.cluster().dropDatabase("cut_stage");
    }

    @Test
    @DisplayName("globals carrying a meta-command are refused before any role or database changes")
    void hostileGlobals() {
        Path canary = dir.resolve("canary");
        BackupSet set = forge("CREATE ROLE sneaky;\n\\! touch " + canary + "\n", Map.of("g_db",
                "CREATE TABLE t (x int);\n"));
        Set<String> roles = roleNames();
        Set<String> dbs = databases(pg.cluster());

        assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(set.id()).includeGlobals(true)
                .allowUnauthenticated(true).build())).isInstanceOf(UnsafeScriptException.class);
        assertThat(canary).doesNotExist();
        assertThat(roleNames()).isEqualTo(roles);
        assertThat(databases(pg.cluster())).isEqualTo(dbs);
    }

    @Test
    @DisplayName("two databases, the second load fails: both existing databases are untouched, nothing is left")
    void secondLoadFails() {
        keeper("keep_a");
        keeper("keep_b");
        Map<String, String> dumps = new LinkedHashMap<>();
        dumps.put("keep_a", "CREATE TABLE restored (x int);\n");
        dumps.put("keep_b", "CREATE TABLE restored (x int);\nSELECT 1/0;\n");
        BackupSet set = forge(null, dumps);

        assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(set.id()).dropExisting(true)
                .allowUnauthenticated(true).build())).isInstanceOf(PgVaultException.class)
                .hasMessageContaining("division by zero");
        assertThat(marker("keep_a")).isEqualTo("keep me");
        assertThat(marker("keep_b")).isEqualTo("keep me");
        assertThat(databases(pg.cluster())).noneMatch(d -> d.startsWith("pgvault_"));
    }

    @Test
    @DisplayName("globals and a failing load: a role's password changed since the backup stays as it is, and the "
            + "roles created for the restore are gone again; with a load that works, the globals apply")
    void globalsAfterProof() {
        String before = password("rotated");
        String globals = "CREATE ROLE rotated;\nALTER ROLE rotated WITH LOGIN PASSWORD 'old-password';\n"
                + "CREATE ROLE fresh_role;\nALTER ROLE fresh_role WITH NOLOGIN;\n";
        BackupSet failing = forge(globals, Map.of("pw_db", "CREATE TABLE t (x int);\nSELECT 1/0;\n"));

        assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(failing.id()).includeGlobals(true)
                .allowUnauthenticated(true).build())).isInstanceOf(PgVaultException.class);
        assertThat(password("rotated")).isEqualTo(before);
        assertThat(roleNames()).doesNotContain("fresh_role");
        assertThat(databases(pg.cluster())).doesNotContain("pw_db");

        BackupSet working = forge(globals, Map.of("pw_db", "CREATE TABLE t (x int);\n"));
        vault().restore(RestoreRequest.builder().backupId(working.id()).includeGlobals(true)
                .allowUnauthenticated(true).build());
        assertThat(password("rotated")).isNotEqualTo(before);
        assertThat(roleNames()).contains("fresh_role");
        assertThat(databases(pg.cluster())).contains("pw_db");
        pg.cluster().psql("postgres", "DROP DATABASE pw_db; DROP ROLE fresh_role;"
                + " ALTER ROLE rotated PASSWORD 'new-password';");
    }

    @Test
    @DisplayName("a session holding a staging database is reported before anything is renamed or dropped")
    void stagingHeld() throws Exception {
        keeper("held_a");
        keeper("held_b");
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection("postgres")).build();
        try (PgSession session = PgSession.open(pg.connection("postgres"), ProcessRunner.local(), config)) {
            ServerCatalog catalog = session.catalog("postgres");
            List<RestoreTarget> targets = List.of(new RestoreTarget("held_a", "held_a", List.of(), "", "UTF8"),
                    new RestoreTarget("held_b", "held_b", List.of(), "", "UTF8"));
            StagingDatabases staging = StagingDatabases.named(session, catalog.server(), "postgres", 2);
            staging.create(targets, catalog.roles());
            Process holder = holdOpen(staging.name(1));
            try {
                Map<String, Long> replace = Map.of("held_a", catalog.database("held_a").orElseThrow().oid(),
                        "held_b", catalog.database("held_b").orElseThrow().oid());
                assertThatThrownBy(() -> staging.swapAll(targets, replace)).isInstanceOf(ConflictException.class)
                        .hasMessageContaining(staging.name(1)).hasMessageContaining("nothing was replaced");
                assertThat(marker("held_a")).isEqualTo("keep me");
                assertThat(marker("held_b")).isEqualTo("keep me");
            } finally {
                holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                staging.dropAll(new RuntimeException("test"));
            }
        }
        assertThat(databases(pg.cluster())).noneMatch(d -> d.startsWith("pgvault_"));
    }

    @Test
    @DisplayName("the second swap fails (its name was taken since the check): the first is put back, the cluster "
            + "is as it was")
    void swapRollsBack() {
        keeper("swap_a");
        pg.cluster().dropDatabase("swap_b");
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection("postgres")).build();
        try (PgSession session = PgSession.open(pg.connection("postgres"), ProcessRunner.local(), config)) {
            ServerCatalog catalog = session.catalog("postgres");
            List<RestoreTarget> targets = List.of(new RestoreTarget("swap_a", "swap_a", List.of(), "", "UTF8"),
                    new RestoreTarget("swap_b", "swap_b", List.of(), "", "UTF8"));
            StagingDatabases staging = StagingDatabases.named(session, catalog.server(), "postgres", 2);
            staging.create(targets, catalog.roles());
            keeper("swap_b"); // appeared after the conflict check: not to be replaced
            Map<String, Long> replace = Map.of("swap_a", catalog.database("swap_a").orElseThrow().oid());

            assertThatThrownBy(() -> staging.swapAll(targets, replace)).isInstanceOf(PgVaultException.class)
                    .hasMessageContaining("the cluster is as it was");
        }
        assertThat(marker("swap_a")).isEqualTo("keep me");
        assertThat(marker("swap_b")).isEqualTo("keep me");
        assertThat(databases(pg.cluster())).noneMatch(d -> d.startsWith("pgvault_"));
    }

    /** A psql session connected to {@code database} until it is killed; returns once the server lists it. */
    private static Process holdOpen(String database) throws Exception {
        PostgresCluster c = pg.cluster();
        Process p = new ProcessBuilder(c.binDir().resolve("psql").toString(), "-X", "-h", c.host(), "-p",
                Integer.toString(c.port()), "-U", c.user(), "-d", database, "-c", "SELECT pg_sleep(60)")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> !c.query("postgres",
                "SELECT pid FROM pg_stat_activity WHERE datname = '" + database + "'").isEmpty());
        return p;
    }
}
