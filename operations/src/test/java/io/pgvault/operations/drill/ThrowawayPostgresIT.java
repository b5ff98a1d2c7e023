package io.pgvault.operations.drill;

import io.pgvault.api.PgVaultException;
import io.pgvault.spi.postgres.ServerDirectory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The drill's server is private: nobody but the drill can connect, not another local user, not a process in the same
 * network namespace, not over the socket; and nothing it leaves on disk is world-writable.
 */
class ThrowawayPostgresIT {
    @TempDir
    Path work;

    @Test
    @DisplayName("a connection without the drill's random password is refused on TCP and on the socket; the drill's "
            + "own connection works; no file or directory is world-writable and no password file is left")
    void privateServer() throws Exception {
        // the server's user must reach its directory through the work directory
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Optional<String> user = ThrowawayPostgres.isRoot() ? Optional.of(ThrowawayPostgres.SUPERUSER) : Optional.empty();
        try (ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()), user, work)) {
            pg.initdb("C.UTF-8", List.of());
            pg.start(List.of(), Duration.ofSeconds(60));
            try (Connection c = pg.jdbc("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
            String psql = pg.binaries().tool("psql");
            for (String host : List.of(ThrowawayPostgres.HOST, pg.directory().toString())) {
                Result r = run(List.of(psql, "-X", "-w", "-h", host, "-p", Integer.toString(pg.port()), "-U",
                        ThrowawayPostgres.SUPERUSER, "-d", "postgres", "-c", "SELECT 1"));
                assertThat(r.exit()).as(r.output()).isNotZero();
                assertThat(r.output()).containsAnyOf("password authentication failed", "no password supplied",
                        "Permission denied");
            }
            try (Stream<Path> files = Files.walk(pg.directory())) {
                List<Path> open = new ArrayList<>();
                for (Path p : files.toList()) {
                    if (!Files.isSymbolicLink(p) && Files.getPosixFilePermissions(p)
                            .contains(PosixFilePermission.OTHERS_WRITE) && !p.getFileName().toString()
                            .startsWith(".s.PGSQL")) {
                        open.add(p);
                    }
                }
                assertThat(open).isEmpty();
            }
            try (Stream<Path> files = Files.list(pg.directory())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("pwfile"));
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pg.directory())))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    @DisplayName("the way without root: the server's user makes its 0700 directory through the launcher, the server "
            + "initialises, starts, answers and is removed through the launcher; another OS user cannot enter it")
    void madeByTheServersUser() throws Exception {
        assumeTrue(ThrowawayPostgres.isRoot(), "needs root to reach the postgres OS user with runuser (sudo is the "
                + "same launcher path without root)");
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pgvault-drill-it-");
        try {
            // a sticky, world-writable base such as /tmp: the server's user may create entries, not touch others'
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
            run(List.of("chmod", "+t", base.toString()));
            Path dir;
            try (ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()),
                    Optional.of(ThrowawayPostgres.SUPERUSER), base, ServerDirectory.Creation.BY_SERVER_USER)) {
                dir = pg.directory();
                assertThat(Files.getOwner(dir).getName()).isEqualTo(ThrowawayPostgres.SUPERUSER);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
                pg.initdb("C.UTF-8", List.of("log_min_messages = warning"));
                pg.start(List.of(), Duration.ofSeconds(60));
                try (Connection c = pg.jdbc("postgres"); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT current_setting('log_min_messages')")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("warning");
                }
                Result other = run(List.of("runuser", "-u", "nobody", "--", "ls", dir.toString()));
                assertThat(other.exit()).as(other.output()).isNotZero();
                assertThat(other.output()).contains("Permission denied");
            }
            assertThat(dir).doesNotExist();
        } finally {
            run(List.of("rm", "-rf", "--", base.toString()));
        }
    }

    @Test
    @DisplayName("when the server's user cannot write the work directory, the drill server is refused with the reason "
            + "and no directory is made (never a world-writable one instead)")
    void refusedWhenTheServersUserCannotWrite() throws Exception {
        assumeTrue(ThrowawayPostgres.isRoot(), "needs root to reach the postgres OS user with runuser");
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pgvault-drill-it-");
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x")); // root's
            assertThatThrownBy(() -> ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()),
                    Optional.of(ThrowawayPostgres.SUPERUSER), base, ServerDirectory.Creation.BY_SERVER_USER))
                    .isInstanceOf(PgVaultException.class)
                    .hasMessageContaining("OS user postgres cannot create a private directory under " + base)
                    .hasMessageContaining("world-writable");
            try (Stream<Path> left = Files.list(base)) {
                assertThat(left).isEmpty();
            }
        } finally {
            run(List.of("rm", "-rf", "--", base.toString()));
        }
    }

    @Test
    @DisplayName("postmaster.pid rewritten by the server's user to the pid of a root process (and pg_ctl thus "
            + "broken): close() does not kill that process, and still stops the server it started")
    void forgedPidFile() throws Exception {
        assumeTrue(ThrowawayPostgres.isRoot(), "needs root to run the server as postgres");
        Path base = rootBase();
        // NEVER pid 1 here: a root-owned sleep stands for the host's processes
        Process canary = new ProcessBuilder("sleep", "300").start();
        long postmaster = -1;
        try {
            ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()),
                    Optional.of(ThrowawayPostgres.SUPERUSER), base);
            pg.initdb("C.UTF-8", List.of());
            pg.start(List.of(), Duration.ofSeconds(60));
            Path pidFile = pg.dataDirectory().resolve("postmaster.pid");
            List<String> lines = new ArrayList<>(Files.readAllLines(pidFile));
            postmaster = Long.parseLong(lines.get(0).strip());
            lines.set(0, Long.toString(canary.pid()));
            Files.write(pidFile, lines);
            try {
                pg.close();
            } catch (PgVaultException e) {
                // what it says is not the point: whom it killed is
            }
            assertThat(canary.isAlive()).as("the root process named in the forged postmaster.pid").isTrue();
            long pm = postmaster;
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pm).map(h -> !h.isAlive())
                    .orElse(true));
        } finally {
            canary.destroyForcibly();
            if (postmaster > 0) {
                run(List.of("runuser", "-u", ThrowawayPostgres.SUPERUSER, "--", "kill", "-KILL",
                        Long.toString(postmaster)));
            }
            run(List.of("rm", "-rf", "--", base.toString()));
        }
    }

    @Test
    @DisplayName("the server's user links postgres.log to a root-only file and makes postmaster.pid a FIFO: the log "
            + "tail (what a report quotes) does not contain the file, and close() does not hang")
    void plantedLogAndPidFile() throws Exception {
        assumeTrue(ThrowawayPostgres.isRoot(), "needs root to run the server as postgres");
        Path base = rootBase();
        Path secret = Files.createTempFile(Path.of("/tmp"), "pgvault-secret-", "");
        try {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(secret, "CANARY-SECRET-4711\n");
            ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()),
                    Optional.of(ThrowawayPostgres.SUPERUSER), base);
            Path dir = pg.directory();
            String asPostgres = "ln -s -- \"$2\" \"$1/postgres.log\" && mkdir \"$1/data\" && mkfifo \"$1/data/postmaster.pid\"";
            assertThat(run(List.of("runuser", "-u", "postgres", "--", "sh", "-c", asPostgres, "sh", dir.toString(),
                    secret.toString())).exit()).isZero();
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                assertThat(pg.logTail(100_000)).doesNotContain("CANARY-SECRET");
                try {
                    pg.close();
                } catch (PgVaultException e) {
                    // reported, not hung
                }
            });
            assertThat(dir).doesNotExist();
        } finally {
            run(List.of("rm", "-rf", "--", base.toString(), secret.toString()));
        }
    }

    @Test
    @DisplayName("a drill's JVM killed with its server running: the next drill's sweep stops that server and removes "
            + "its directory; the directory of a live process, one made in another pid namespace or boot, and one of "
            + "an older version are left alone")
    void killedDrillsServerSwept() throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Optional<String> user = ThrowawayPostgres.isRoot() ? Optional.of(ThrowawayPostgres.SUPERUSER) : Optional.empty();
        Process killed = startChild();
        Process alive = startChild();
        List<Long> postmasters = new ArrayList<>();
        try (ThrowawayPostgres live = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()), user,
                work)) {
            String[] first = awaitReady(killed);
            String[] second = awaitReady(alive);
            Path left = Path.of(first[1]);
            int port = Integer.parseInt(first[2]);
            Path running = Path.of(second[1]);
            int runningPort = Integer.parseInt(second[2]);
            long postmaster = Long.parseLong(Files.readAllLines(left.resolve("data/postmaster.pid")).get(0).strip());
            postmasters.add(postmaster);
            postmasters.add(Long.parseLong(Files.readAllLines(running.resolve("data/postmaster.pid")).get(0)
                    .strip()));
            killed.destroyForcibly();
            assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("the killed JVM's server runs on")
                    .contains(true);
            assertThat(accepts(port)).isTrue();

            String prefix = ThrowawayPostgres.PREFIX;
            Path elsewhere = Files.createDirectory(work.resolve(prefix + "zzzzzz00001" + "0000001-" + "abcdefghij"));
            Path older = Files.createDirectory(work.resolve(prefix + "1234567890123456789"));
            List<Path> removed = ThrowawayPostgres.sweepLeftovers(user, work);

            assertThat(removed).containsExactly(left);
            assertThat(left).doesNotExist();
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(postmaster).map(h -> !h.isAlive())
                    .orElse(true));
            assertThat(accepts(port)).isFalse();
            assertThat(running).as("the server of a drill whose JVM lives, in another process").isDirectory();
            assertThat(accepts(runningPort)).isTrue();
            assertThat(live.directory()).as("this process's own server directory").isDirectory();
            assertThat(elsewhere).isDirectory();
            assertThat(older).isDirectory();
            assertThat(ThrowawayPostgres.sweepLeftovers(user, work)).as("nothing more to sweep").isEmpty();

            alive.destroyForcibly();
            assertThat(alive.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ThrowawayPostgres.sweepLeftovers(user, work)).as("once its JVM is killed too")
                    .containsExactly(running);
            assertThat(accepts(runningPort)).isFalse();
        } finally {
            killed.destroyForcibly();
            alive.destroyForcibly();
            for (long pm : postmasters) {
                if (ProcessHandle.of(pm).isPresent()) {
                    run(user.isPresent() ? List.of("runuser", "-u", user.get(), "--", "kill", "-KILL",
                            Long.toString(pm)) : List.of("kill", "-KILL", Long.toString(pm)));
                }
            }
        }
    }

    @Test
    @DisplayName("a drill's JVM in a container that is killed and restarted (a new pid namespace, its processes gone "
            + "with it): its copy is swept by the maker's lock, not its pid; a live drill in another namespace stays")
    void restartedContainersCopySwept() throws Exception {
        assumeTrue(ThrowawayPostgres.isRoot(), "needs root for unshare --pid (a container's pid namespace)");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Optional<String> user = Optional.of(ThrowawayPostgres.SUPERUSER);
        Process killed = startChildInNamespace();
        Process alive = startChildInNamespace();
        try {
            Path left = Path.of(awaitReady(killed)[1]);
            String[] second = awaitReady(alive);
            Path running = Path.of(second[1]);
            int runningPort = Integer.parseInt(second[2]);
            String ours = left.getFileName().toString().substring(ThrowawayPostgres.PREFIX.length(),
                    ThrowawayPostgres.PREFIX.length() + 6);
            assertThat(ours).as("made in another pid namespace: its pid means nothing here").isNotEqualTo(
                    whereHere());
            List<ProcessHandle> inside = killed.descendants().toList(); // the JVM and its server, in the namespace
            assertThat(inside).isNotEmpty();
            killed.destroyForcibly(); // unshare --kill-child: the namespace's init dies, and every process in it
            assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> inside.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(left.resolve("data")).as("the copy stays on the volume").isDirectory();

            List<Path> removed = ThrowawayPostgres.sweepLeftovers(user, work);

            assertThat(removed).containsExactly(left);
            assertThat(left).doesNotExist();
            assertThat(work.resolve("." + left.getFileName() + ".lock")).doesNotExist();
            assertThat(running).as("a live drill in another namespace: its maker holds the lock").isDirectory();
            assertThat(accepts(runningPort)).isTrue();

            List<ProcessHandle> inside2 = alive.descendants().toList();
            alive.destroyForcibly();
            assertThat(alive.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> inside2.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(accepts(runningPort)).isFalse();
            assertThat(ThrowawayPostgres.sweepLeftovers(user, work)).containsExactly(running);
        } finally {
            killed.destroyForcibly();
            alive.destroyForcibly();
        }
    }

    /** @return this process's boot and pid-namespace digest, as a drill directory made here starts after its prefix */
    private String whereHere() {
        try (ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()),
                Optional.of(ThrowawayPostgres.SUPERUSER), work)) {
            return pg.directory().getFileName().toString().substring(ThrowawayPostgres.PREFIX.length(),
                    ThrowawayPostgres.PREFIX.length() + 6);
        }
    }

    private Process startChildInNamespace() throws IOException {
        return new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeftoverServerChild.class.getName(), work.toString())
                .redirectErrorStream(true).start();
    }

    private Process startChild() throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeftoverServerChild.class.getName(), work.toString())
                .redirectErrorStream(true).start();
    }

    /** @return the child's {@code READY <directory> <port>} line, split */
    private static String[] awaitReady(Process child) {
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                child.getInputStream(), StandardCharsets.UTF_8));
        return assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("READY ")) {
                    return line.split(" ");
                }
                seen.append(line).append('\n');
            }
            throw new AssertionError("the child ended before its server ran:\n" + seen);
        });
    }

    private static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(ThrowawayPostgres.HOST, port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return a root-owned 0755 directory under /tmp that the postgres OS user can enter */
    private static Path rootBase() throws IOException {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pgvault-drill-it-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        return base;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().remove("PGPASSWORD");
        pb.environment().put("PGPASSFILE", "/dev/null");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return new Result(p.exitValue(), out);
    }
}
