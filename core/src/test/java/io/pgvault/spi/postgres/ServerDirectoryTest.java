package io.pgvault.spi.postgres;

import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who makes a throwaway server's directory, and that it is private (0700) whoever makes it: never world-writable, and
 * refused rather than opened up when the server's user cannot make it.
 */
class ServerDirectoryTest {
    private static final String ME = System.getProperty("user.name");

    @TempDir
    Path base;

    @Nested
    @DisplayName("the decision")
    class Decision {
        @Test
        @DisplayName("without an OS user, this process makes the directory itself")
        void ownUser() {
            assertThat(ServerDirectory.Creation.choose(Optional.empty(), false))
                    .isEqualTo(ServerDirectory.Creation.THIS_PROCESS);
            assertThat(ServerDirectory.Creation.choose(Optional.empty(), true))
                    .isEqualTo(ServerDirectory.Creation.THIS_PROCESS);
        }

        @Test
        @DisplayName("as root, this process makes it 0700 and hands it to the server's user")
        void root() {
            assertThat(ServerDirectory.Creation.choose(Optional.of("postgres"), true))
                    .isEqualTo(ServerDirectory.Creation.HANDED_OVER);
        }

        @Test
        @DisplayName("without root, the server's user makes it through its launcher (no chown, no 0777)")
        void notRoot() {
            assertThat(ServerDirectory.Creation.choose(Optional.of("postgres"), false))
                    .isEqualTo(ServerDirectory.Creation.BY_SERVER_USER);
        }
    }

    @Test
    @DisplayName("made by this process: 0700")
    void thisProcess() throws Exception {
        ServerDirectory dir = ServerDirectory.create(base, "pgvault-t-", Optional.empty(),
                ServerDirectory.Creation.THIS_PROCESS, ProcessRunner.local());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path()))).isEqualTo("rwx------");
        assertThat(dir.path().getParent()).isEqualTo(base.toAbsolutePath());
        dir.delete();
        assertThat(dir.path()).doesNotExist();
    }

    @Test
    @DisplayName("made by the server's user: mktemp -d through the launcher, 0700, and every file operation in it "
            + "goes through the launcher too")
    void byServerUser() throws Exception {
        Recording launcher = new Recording(false);
        ServerDirectory dir = ServerDirectory.create(base, "pgvault-t-", Optional.of(ME),
                ServerDirectory.Creation.BY_SERVER_USER, new ProcessRunner(launcher));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path()))).isEqualTo("rwx------");
        assertThat(dir.path().getFileName().toString()).startsWith("pgvault-t-");
        assertThat(launcher.commands).anySatisfy(c -> assertThat(c).contains("mktemp"));
        assertThat(launcher.commands).noneSatisfy(c -> assertThat(c).containsAnyOf("chmod", "777"));

        int before = launcher.commands.size();
        Path conf = dir.path().resolve("postgresql.conf");
        dir.append(conf, "port = 5\n");
        dir.append(conf, "fsync = off\n");
        assertThat(dir.size(conf)).isEqualTo(21);
        assertThat(dir.read(conf, 9, 100)).isEqualTo("fsync = off\n");
        assertThat(dir.read(conf, 0, 6)).isEqualTo("= off\n");
        assertThat(dir.firstLine(conf)).contains("port = 5");
        assertThat(dir.firstLine(dir.path().resolve("absent"))).isEmpty();
        assertThat(dir.size(dir.path().resolve("absent"))).isZero();
        assertThat(dir.read(dir.path().resolve("absent"), 0, 100)).isEmpty();
        assertThat(Files.readString(conf, StandardCharsets.UTF_8)).isEqualTo("port = 5\nfsync = off\n");
        dir.delete();
        assertThat(dir.path()).doesNotExist();
        assertThat(launcher.commands.size() - before).as("operations through the launcher").isGreaterThanOrEqualTo(8);
    }

    @Test
    @DisplayName("when the server's user cannot make it, the drill is refused with the reason and nothing is made")
    void refused() throws Exception {
        Recording failing = new Recording(true);
        assertThatThrownBy(() -> ServerDirectory.create(base, "pgvault-t-", Optional.of("postgres"),
                ServerDirectory.Creation.BY_SERVER_USER, new ProcessRunner(failing)))
                .isInstanceOf(PgVaultException.class)
                .hasMessageContaining("postgres")
                .hasMessageContaining(base.toAbsolutePath().toString())
                .hasMessageContaining("world-writable");
        try (Stream<Path> left = Files.list(base)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    @DisplayName("handed over by root: the tree is emptied as the server's user through the launcher (rm does not "
            + "follow a directory swapped for a link); this process only removes the emptied top directory")
    void handedOverDeletionGoesThroughTheLauncher() throws Exception {
        Recording launcher = new Recording(false);
        // handing over to this process's own user needs no root; the point is who deletes
        ServerDirectory dir = ServerDirectory.create(base, "pgvault-t-", Optional.of(ME),
                ServerDirectory.Creation.HANDED_OVER, new ProcessRunner(launcher));
        Files.createDirectories(dir.path().resolve("data/base/1"));
        Files.writeString(dir.path().resolve("data/base/1/2"), "x");
        int before = launcher.commands.size();
        dir.delete();
        assertThat(dir.path()).doesNotExist();
        assertThat(launcher.commands.subList(before, launcher.commands.size()))
                .anySatisfy(c -> assertThat(c).contains("rm -rf"));
    }

    @Nested
    @DisplayName("the base directory must be one nobody else can change")
    class Base {
        @Test
        @DisplayName("a base others may write (0777, not sticky; as root, owned by nobody) is refused and nothing is "
                + "made in it")
        void openBase() throws Exception {
            Path open = Files.createDirectory(base.resolve("open"));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            if ("root".equals(ME)) {
                assertThat(sh("chown nobody -- \"$1\"", open.toString())).isZero();
            }
            assertThatThrownBy(() -> ServerDirectory.create(open, "pgvault-t-", Optional.empty(),
                    ServerDirectory.Creation.THIS_PROCESS, ProcessRunner.local()))
                    .isInstanceOf(PgVaultException.class)
                    .hasMessageContaining(open.toString())
                    .hasMessageContaining("writable");
            try (Stream<Path> left = Files.list(open)) {
                assertThat(left).isEmpty();
            }
        }

        @Test
        @DisplayName("a base that is a link is refused, and nothing is made where it points")
        void linkedBase() throws Exception {
            Path real = Files.createDirectory(base.resolve("real"));
            Path link = Files.createSymbolicLink(base.resolve("link"), real);
            assertThatThrownBy(() -> ServerDirectory.create(link, "pgvault-t-", Optional.empty(),
                    ServerDirectory.Creation.THIS_PROCESS, ProcessRunner.local()))
                    .isInstanceOf(PgVaultException.class)
                    .hasMessageContaining(link.toString())
                    .hasMessageContaining("link");
            try (Stream<Path> left = Files.list(real)) {
                assertThat(left).isEmpty();
            }
        }

        @Test
        @DisplayName("a missing base under a parent others may write is refused before anything is created; under a "
                + "sticky one (like /tmp) it is made")
        void openParent() throws Exception {
            Path open = Files.createDirectory(base.resolve("open"));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            assertThatThrownBy(() -> ServerDirectory.create(open.resolve("work"), "pgvault-t-", Optional.empty(),
                    ServerDirectory.Creation.THIS_PROCESS, ProcessRunner.local()))
                    .isInstanceOf(PgVaultException.class)
                    .hasMessageContaining(open.toString());
            assertThat(open.resolve("work")).doesNotExist();
            assertThat(sh("chmod +t -- \"$1\"", open.toString())).isZero();
            ServerDirectory.create(open.resolve("work"), "pgvault-t-", Optional.empty(),
                    ServerDirectory.Creation.THIS_PROCESS, ProcessRunner.local()).delete();
        }
    }

    @Nested
    @DisplayName("as root, against the server's user")
    class AsRoot {
        @Test
        @DisplayName("a directory swapped for a link to a root-owned directory while the tree is removed: nothing "
                + "behind the link is deleted (several rounds: each round is a race the attacker may lose)")
        void swappedDirectory() throws Exception {
            assumeRootAndPostgres();
            Path work = rootDirectory("pgvault-sdt-");
            Path canary = rootDirectory("pgvault-canary-");
            try {
                for (int i = 0; i < 2000; i++) {
                    Files.writeString(canary.resolve("f" + i), "precious");
                }
                for (int round = 0; round < 5; round++) {
                    removeWhileSwapping(work, canary);
                    try (Stream<Path> left = Files.list(canary)) {
                        assertThat(left.count()).as("files behind the link after round " + round).isEqualTo(2000);
                    }
                }
            } finally {
                sh("rm -rf -- \"$1\" \"$2\"", work.toString(), canary.toString());
            }
        }

        private void removeWhileSwapping(Path work, Path canary) throws Exception {
            ServerDirectory dir = ServerDirectory.create(work, "pgvault-t-", Optional.of("postgres"),
                    ServerDirectory.Creation.HANDED_OVER, new ProcessRunner(Launcher.runuser("postgres")));
            Path a = dir.path().resolve("data/a");
            Files.createDirectories(a);
            for (int i = 0; i < 2000; i++) {
                Files.writeString(a.resolve("f" + i), "x");
            }
            sh("chown -R postgres: -- \"$1\"", dir.path().resolve("data").toString());
            AtomicBoolean stop = new AtomicBoolean();
            Thread swapper = new Thread(() -> {
                Path away = a.resolveSibling("a.away");
                while (!stop.get()) {
                    try {
                        Files.move(a, away);
                        Files.createSymbolicLink(a, canary);
                        spin(200_000);
                        Files.delete(a);
                        Files.move(away, a);
                        spin(50_000);
                    } catch (IOException e) {
                        // the tree is being removed under us: keep trying
                    }
                }
            });
            swapper.start();
            try {
                dir.delete();
            } catch (PgVaultException e) {
                // the swapper may have recreated an entry after the removal: not what is checked here
            } finally {
                stop.set(true);
                swapper.join();
            }
            sh("rm -rf -- \"$1\"", dir.path().toString());
        }
    }

    static void assumeRootAndPostgres() throws Exception {
        assumeTrue("root".equals(ME), "needs root");
        assumeTrue(sh("id -u postgres") == 0, "needs the postgres OS user");
    }

    /** @return a new root-owned 0755 directory under /tmp (JUnit's @TempDir is 0700: postgres cannot enter it) */
    static Path rootDirectory(String prefix) throws IOException {
        Path d = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    /** Holds a state of the swap for a while without sleeping: the race needs microseconds, not a scheduler tick. */
    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    static int sh(String script, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** Runs every command locally (as this process's user), recording it; or makes every command fail. */
    private static final class Recording implements Launcher {
        final List<String> commands = new ArrayList<>();
        private final boolean fail;

        Recording(boolean fail) {
            this.fail = fail;
        }

        @Override
        public List<String> wrap(List<String> command, Set<String> envNames) {
            commands.add(String.join(" ", command));
            if (fail) {
                return List.of("sh", "-c", "echo 'mktemp: Permission denied' >&2; exit 1");
            }
            return List.copyOf(command);
        }

        @Override
        public String describe() {
            return "recording";
        }
    }
}
