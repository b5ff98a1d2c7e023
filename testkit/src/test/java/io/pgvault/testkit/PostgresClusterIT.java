package io.pgvault.testkit;

import io.pgvault.api.PgConnection;
import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PostgresClusterIT {

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Gone, or a zombie waiting for init (which reaps orphans with some delay here) to reap it. */
    private static boolean hasExited(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return true;
        }
        try {
            String s = Files.readString(stat);
            return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
    }

    @Test
    @DisplayName("a cluster starts on a free loopback port, as the postgres OS user when the JVM is root, and answers")
    void startsAndIsReachable() throws Exception {
        long t0 = System.nanoTime();
        try (PostgresCluster pg = PostgresCluster.builder().start()) {
            long startMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("cluster start took " + startMillis + " ms: " + pg);

            assertThat(pg.isRunning()).isTrue();
            assertThat(pg.port()).isBetween(1024, 65535).isNotEqualTo(5432);
            try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), pg.port())) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(pg.query("postgres", "SELECT current_user, inet_server_addr(), inet_server_port(), "
                    + "current_setting('unix_socket_directories'), pg_encoding_to_char(encoding), datcollate "
                    + "FROM pg_database WHERE datname = current_database()"))
                    .containsExactly(List.of("postgres", "127.0.0.1", Integer.toString(pg.port()),
                            pg.socketDirectory().toString(), "UTF8", "C.UTF-8"));
            assertThat(pg.queryValue("postgres", "SHOW data_checksums")).isEqualTo("on");
            assertThat(pg.queryValue("postgres", "SHOW fsync")).isEqualTo("off");
            assertThat(pg.majorVersion()).isGreaterThanOrEqualTo(13);

            long pid = pg.serverPid().orElseThrow();
            String owner = ProcessHandle.of(pid).orElseThrow().info().user().orElseThrow();
            assertThat(owner).isEqualTo(root() ? "postgres" : System.getProperty("user.name"));
            assertThat(pg.osUser()).isEqualTo(root() ? java.util.Optional.of("postgres") : java.util.Optional.empty());

            PgConnection conn = pg.connection("postgres");
            assertThat(conn.host()).isEqualTo("127.0.0.1");
            assertThat(conn.port()).isEqualTo(pg.port());
            assertThat(conn.user()).isEqualTo("postgres");
            assertThat(conn.binDir()).contains(pg.binDir());
            assertThat(Files.isExecutable(pg.binDir().resolve("pg_dump"))).isTrue();
            assertThat(startMillis).isLessThan(Duration.ofSeconds(20).toMillis());
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {16, 17, 18})
    @DisplayName("requireMajorVersion(16|17|18) finds what scripts/install-packages extracts: 16 server-only, queried "
            + "by the system's psql 15; 17 and 18 whole Debian packages with their own clients; amcheck came along")
    void newerServers(int major) {
        Optional<String> why = PostgresCluster.whyUnavailable(major);
        assumeTrue(why.isEmpty(), () -> why.orElse(""));
        try (PostgresCluster pg = PostgresCluster.builder().requireMajorVersion(major).start()) {
            assertThat(pg.majorVersion()).isEqualTo(major);
            assertThat(pg.queryValue("postgres", "SHOW server_version_num")).startsWith(major + "0");
            if (major == 16) {
                assertThat(pg.binDir().resolve("psql")).doesNotExist();
            } else {
                assertThat(pg.clientBinDir()).isEqualTo(pg.binDir());
                assertThat(pg.binDir().toString()).endsWith("usr/lib/postgresql/" + major + "/bin");
                for (String client : List.of("psql", "pg_dump", "pg_restore", "pg_basebackup", "pg_upgrade")) {
                    assertThat(pg.binDir().resolve(client)).isExecutable();
                }
            }
            assertThat(pg.clientBinDir().resolve("psql")).isExecutable();
            assertThat(pg.connection().binDir()).contains(pg.clientBinDir());
            assertThat(pg.queryValue("postgres", "CREATE EXTENSION amcheck; "
                    + "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'")).isEqualTo("1");
            if (root()) {
                // the extracted tree lives under root's 0700 home: the server runs from a copy postgres can reach
                assertThat(pg.binDir().toString()).startsWith("/tmp/pgvault-postgresql-" + pg.version());
            }
        }
    }

    @Test
    @DisplayName("requireMajorVersion of a version nowhere installed: TOOL_MISSING naming what was looked at")
    void absentVersion() {
        assertThat(PostgresCluster.whyUnavailable(12)).hasValueSatisfying(why -> assertThat(why)
                .contains("PostgreSQL 12 server binaries not found", "/usr/lib/postgresql/12/bin"));
    }

    @Test
    @DisplayName("two clusters run side by side on different ports with separate data")
    void twoClustersRunConcurrently() {
        CompletableFuture<PostgresCluster> a = CompletableFuture.supplyAsync(() -> PostgresCluster.builder().start());
        CompletableFuture<PostgresCluster> b = CompletableFuture.supplyAsync(() -> PostgresCluster.builder().start());
        try (PostgresCluster one = a.join(); PostgresCluster two = b.join()) {
            assertThat(one.port()).isNotEqualTo(two.port());
            assertThat(one.directory()).isNotEqualTo(two.directory());
            one.psql("postgres", "CREATE TABLE which (name text); INSERT INTO which VALUES ('one')");
            two.psql("postgres", "CREATE TABLE which (name text); INSERT INTO which VALUES ('two')");
            assertThat(one.queryValue("postgres", "SELECT name FROM which")).isEqualTo("one");
            assertThat(two.queryValue("postgres", "SELECT name FROM which")).isEqualTo("two");
        }
    }

    @Test
    @DisplayName("close stops the server process and deletes the cluster directory")
    void closeRemovesEverything() throws IOException {
        PostgresCluster pg = PostgresCluster.builder().start();
        Path dir = pg.directory();
        long pid = pg.serverPid().orElseThrow();
        assertThat(ProcessHandle.of(pid)).isPresent();
        assertThat(dir.resolve("data/PG_VERSION")).exists();

        pg.close();

        assertThat(dir).doesNotExist();
        assertThat(hasExited(pid)).as("server process %d has exited", pid).isTrue();
        assertThat(pg.isRunning()).isFalse();
        pg.close(); // idempotent
        assertThatThrownBy(() -> pg.psql("postgres", "SELECT 1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("stop keeps the data; start brings it back on the same port; configure takes effect on restart")
    void stopStartAndConfigure() {
        try (PostgresCluster pg = PostgresCluster.builder().conf("work_mem = '7MB'").start()) {
            assertThat(pg.queryValue("postgres", "SHOW work_mem")).isEqualTo("7MB");
            pg.psql("postgres", "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
            int port = pg.port();
            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThat(pg.serverPid()).isEmpty();
            pg.configure("work_mem = '9MB'");
            pg.start();
            assertThat(pg.port()).isEqualTo(port);
            assertThat(pg.queryValue("postgres", "SELECT v FROM kept")).isEqualTo("42");
            assertThat(pg.queryValue("postgres", "SHOW work_mem")).isEqualTo("9MB");
        }
    }

    @Test
    @DisplayName("databases may have unicode names with spaces, quotes, backslashes and '='")
    void unicodeDatabaseNames() {
        List<String> names = List.of("données ユーザー 🐘", "it's a \"db\"", "back\\slash = dbname=x", "UPPER lower",
                "שלום");
        try (PostgresCluster pg = PostgresCluster.builder().start()) {
            for (String name : names) {
                assertThat(pg.databaseExists(name)).isFalse();
                PgConnection conn = pg.createDatabase(name);
                assertThat(conn.database()).isEqualTo(name);
                assertThat(pg.databaseExists(name)).isTrue();
                assertThat(pg.queryValue(name, "SELECT current_database()")).isEqualTo(name);
                pg.psql(name, "CREATE TABLE t (v text); INSERT INTO t VALUES (" + PostgresCluster.quoteLiteral(name)
                        + ")");
                assertThat(pg.queryValue(name, "SELECT v FROM t")).isEqualTo(name);
            }
            for (String name : names) {
                pg.dropDatabase(name);
                assertThat(pg.databaseExists(name)).isFalse();
            }
            pg.dropDatabase("never existed");
        }
    }

    @Test
    @DisplayName("query returns rows of every statement, with NULL as null and multi-line unicode values intact")
    void queryParsesRows() {
        try (PostgresCluster pg = PostgresCluster.builder().start()) {
            List<List<String>> rows = pg.query("postgres", """
                    SELECT 1, 'two' || chr(10) || 'lines', NULL, '', '😀 שלום e\u0301';
                    CREATE TEMP TABLE nothing (v int);
                    SELECT v FROM nothing;
                    SELECT x, 'x' || x FROM generate_series(1, 3) x;
                    """);
            assertThat(rows).hasSize(4);
            assertThat(rows.get(0)).containsExactly("1", "two\nlines", null, "", "😀 שלום e\u0301");
            assertThat(rows.subList(1, 4)).containsExactly(List.of("1", "x1"), List.of("2", "x2"), List.of("3", "x3"));
            assertThat(pg.query("postgres", "SELECT 1 WHERE false")).isEmpty();
        }
    }

    @Test
    @DisplayName("an SQL error fails with psql's message and stops the script")
    void sqlErrorsAreReported() {
        try (PostgresCluster pg = PostgresCluster.builder().start()) {
            assertThatThrownBy(() -> pg.psql("postgres",
                    "CREATE TABLE before_error (v int);\nSELECT no_such_column FROM before_error;\nCREATE TABLE after_error (v int);"))
                    .isInstanceOf(ToolException.class)
                    .hasMessageContaining("no_such_column")
                    .hasMessageContaining("postgres");
            assertThat(pg.query("postgres", "SELECT to_regclass('before_error') IS NOT NULL, "
                    + "to_regclass('after_error') IS NOT NULL")).containsExactly(List.of("t", "f"));
        }
    }

    @Test
    @DisplayName("a cluster cannot live where the server's OS user cannot enter")
    void refusesUnreachableBaseDirectory() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(root(), "only root runs the server as another user");
        Path locked = Files.createTempDirectory("pgvault-locked-"); // 0700 root, like @TempDir
        try {
            assertThatThrownBy(() -> PostgresCluster.builder().baseDirectory(locked).start())
                    .hasMessageContaining("cannot enter")
                    .hasMessageContaining(locked.toString());
        } finally {
            try (var s = Files.list(locked)) {
                assertThat(s).isEmpty();
            }
            Files.delete(locked);
        }
    }

    @Test
    @DisplayName("a fixed port that is taken fails with the server log in the message")
    void takenFixedPort() {
        try (PostgresCluster first = PostgresCluster.builder().start()) {
            PostgresCluster second = PostgresCluster.builder().port(first.port()).startTimeout(Duration.ofSeconds(10))
                    .build();
            List<String> dirs = new ArrayList<>();
            assertThatThrownBy(() -> {
                try {
                    second.start();
                } finally {
                    dirs.add(second.directory().toString());
                    second.close();
                }
            }).isInstanceOf(ToolException.class).hasMessageContaining("Address already in use");
            assertThat(Path.of(dirs.get(0))).doesNotExist();
            assertThat(first.queryValue("postgres", "SELECT 1")).isEqualTo("1");
        }
    }
}
