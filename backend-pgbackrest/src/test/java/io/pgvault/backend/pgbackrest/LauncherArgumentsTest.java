package io.pgvault.backend.pgbackrest;

import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact argument lists pgvault runs pgBackRest with through each launcher; docker and ssh cannot run here, so
 * their lists are the evidence. Secrets appear only as variable names, never values.
 */
class LauncherArgumentsTest {
    private static final List<String> BASE = List.of("--config=/etc/pgvault/pgbackrest.conf",
            "--config-include-path=/etc/pgvault/main.conf.d", "--stanza=main");

    private static List<String> argv(Launcher launcher, String command, List<String> options) {
        PgBackRestConfig c = PgBackRestConfigTest.base().launcher(launcher).build();
        ToolCommand cmd = new Cli(c, new ProcessRunner(launcher)).command(command, options, Duration.ofMinutes(1));
        List<String> raw = new ArrayList<>();
        raw.add(cmd.executable());
        raw.addAll(cmd.args());
        List<String> out = launcher.wrap(raw, cmd.envNames());
        assertThat(String.join(" ", out)).doesNotContain(PgBackRestConfigTest.PASS.reveal());
        return out;
    }

    private static List<String> expected(List<String> prefix, String... tail) {
        List<String> l = new ArrayList<>(prefix);
        l.add("pgbackrest");
        l.addAll(BASE);
        l.addAll(List.of(tail));
        return l;
    }

    @Test
    @DisplayName("docker exec: -i -u postgres, -e NAME per secret variable (value taken from docker's environment)")
    void dockerExec() {
        assertThat(argv(Launcher.dockerExec("db", "postgres"), "backup", List.of("--type=full", "--repo=1")))
                .isEqualTo(expected(List.of("docker", "exec", "-i", "-u", "postgres", "-e",
                        "PGBACKREST_REPO1_CIPHER_PASS", "db"), "--type=full", "--repo=1", "backup"));
    }

    @Test
    @DisplayName("ssh: BatchMode, SendEnv per secret variable, the command quoted into one remote string")
    void ssh() {
        assertThat(argv(Launcher.ssh("postgres@db1"), "restore", List.of("--type=time",
                "--target=2026-11-21 10:10:10.000000+00")))
                .containsExactly("ssh", "-o", "BatchMode=yes", "-o", "SendEnv=PGBACKREST_REPO1_CIPHER_PASS",
                        "postgres@db1", "--", "pgbackrest --config=/etc/pgvault/pgbackrest.conf "
                                + "--config-include-path=/etc/pgvault/main.conf.d --stanza=main --type=time "
                                + "'--target=2026-11-21 10:10:10.000000+00' restore");
    }

    @Test
    @DisplayName("as another user: runuser keeps the environment; sudo preserves exactly the secret variables")
    void otherUser() {
        assertThat(argv(Launcher.runuser("postgres"), "check", List.of()))
                .isEqualTo(expected(List.of("runuser", "-u", "postgres", "--"), "check"));
        assertThat(argv(Launcher.sudo("postgres"), "check", List.of()))
                .isEqualTo(expected(List.of("sudo", "-n", "--preserve-env=PGBACKREST_REPO1_CIPHER_PASS", "-u",
                        "postgres", "--"), "check"));
        assertThat(argv(Launcher.local(), "info", List.of("--output=json")))
                .isEqualTo(expected(List.of(), "--output=json", "info"));
    }

    @Test
    @DisplayName("config files are written through the launcher with their content on stdin, not argv")
    void writesThroughTheLauncher() {
        ToolCommand write = RemoteFiles.writeCommand(java.nio.file.Path.of("/etc/pgvault/main.conf.d/s.conf"));
        List<String> raw = new ArrayList<>(List.of(write.executable()));
        raw.addAll(write.args());
        List<String> argv = Launcher.dockerExec("db", "postgres").wrap(raw, write.envNames());
        assertThat(argv).startsWith("docker", "exec", "-i", "-u", "postgres", "db", "sh", "-c")
                .endsWith("sh", "/etc/pgvault/main.conf.d/s.conf").hasSize(11);
        assertThat(argv.get(8)).startsWith("umask 077 && ").contains("chmod 600", "mv -f");
        assertThat(write.secretEnv()).isEmpty();
    }

    @Test
    @DisplayName("a secrets file is written 0600 through an exclusive, unpredictable temporary name: a link planted "
            + "at the old predictable name is neither followed nor reused, and nothing is left behind")
    void writesExclusively(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("conf.d/pgvault-secrets.conf");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Path victim = java.nio.file.Files.writeString(dir.resolve("victim"), "untouched");
        java.nio.file.Files.createSymbolicLink(file.resolveSibling("pgvault-secrets.conf.pgvault-tmp"), victim);

        new RemoteFiles(io.pgvault.spi.process.ProcessRunner.local()).write(file, "repo1-cipher-pass=x\n");

        assertThat(java.nio.file.Files.readString(file)).isEqualTo("repo1-cipher-pass=x\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(java.nio.file.Files.readString(victim)).isEqualTo("untouched");
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("pgvault-secrets.conf",
                    "pgvault-secrets.conf.pgvault-tmp");
        }
    }
}
