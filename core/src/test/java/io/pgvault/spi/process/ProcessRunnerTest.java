package io.pgvault.spi.process;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.Secret;
import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessRunnerTest {
    private final ProcessRunner runner = ProcessRunner.local();

    private static ToolCommand sh(String script) {
        return ToolCommand.builder("sh", "/bin/sh").arg("-c", script).timeout(Duration.ofSeconds(30)).build();
    }

    @Nested
    class ExitCodes {
        @Test
        @DisplayName("a successful run returns stdout and exit code 0")
        void success() {
            ToolResult r = runner.run(sh("echo hello; echo warn >&2"));
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).isEqualTo("hello\n");
            assertThat(r.stderrTail()).isEqualTo("warn");
        }

        @Test
        @DisplayName("a non-zero exit becomes a ToolException with the exit code and the stderr tail")
        void failure() {
            assertThatThrownBy(() -> runner.run(sh("echo 'pg_dump: error: connection refused' >&2; exit 3")))
                    .isInstanceOfSatisfying(ToolException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
                        assertThat(e.exitCode()).contains(3);
                        assertThat(e.stderrTail()).contains("connection refused");
                        assertThat(e.getMessage()).contains("exit code 3").contains("connection refused");
                    });
        }

        @Test
        @DisplayName("accepted exit codes other than zero count as success")
        void acceptedCodes() {
            assertThat(runner.run(sh("exit 2"), 0, 2).exitCode()).isEqualTo(2);
        }

        @Test
        @DisplayName("a missing executable is TOOL_MISSING and says so")
        void missingTool() {
            ToolCommand cmd = ToolCommand.builder("pg_dump", "/nonexistent/bin/pg_dump").build();
            assertThatThrownBy(() -> runner.run(cmd))
                    .isInstanceOfSatisfying(ToolException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_MISSING);
                        assertThat(e.getMessage()).contains("cannot start pg_dump");
                    });
        }

        @Test
        @DisplayName("exit code 127 from a launcher (command not found) is TOOL_MISSING")
        void notFoundThroughShell() {
            assertThatThrownBy(() -> runner.run(sh("exec /nonexistent/tool")))
                    .isInstanceOfSatisfying(ToolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOOL_MISSING));
        }
    }

    @Nested
    class Timeouts {
        @Test
        @DisplayName("a tool that exceeds its timeout is killed with its children and reported as TIMEOUT")
        void timeoutKillsTree(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
            Path pidFile = dir.resolve("child.pid");
            ToolCommand cmd = ToolCommand.builder("sleeper", "/bin/sh")
                    .arg("-c", "sleep 60 & echo $! > " + pidFile + "; wait")
                    .timeout(Duration.ofMillis(700)).build();
            Instant start = Instant.now();
            assertThatThrownBy(() -> runner.run(cmd))
                    .isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(20));
            long child = Long.parseLong(Files.readString(pidFile).trim());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Nested
    class Streaming {
        @Test
        @DisplayName("stdin and stdout stream while stderr is drained concurrently (no deadlock on a full pipe)")
        void streamsWithoutDeadlock() throws Exception {
            // 4 MiB on stderr would block a tool whose stderr nobody reads
            ToolCommand cmd = sh("head -c 4194304 /dev/zero | tr '\\0' 'x' >&2; cat");
            try (ToolProcess p = runner.start(cmd)) {
                AtomicReference<byte[]> out = new AtomicReference<>();
                Thread reader = new Thread(() -> {
                    try (InputStream in = p.stdout()) {
                        out.set(in.readAllBytes());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                reader.start();
                byte[] chunk = new byte[1 << 16];
                java.util.Arrays.fill(chunk, (byte) 'a');
                for (int i = 0; i < 64; i++) {
                    p.stdin().write(chunk);
                }
                p.stdin().close();
                reader.join(30_000);
                assertThat(p.await().exitCode()).isZero();
                assertThat(out.get()).hasSize(64 << 16);
            }
        }

        @Test
        @DisplayName("a stderr listener sees every line unredacted, in order, then the end; the lines it claims stay "
                + "out of the tail")
        void stderrListener() throws Exception {
            java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
            StderrListener listener = new StderrListener() {
                @Override
                public boolean onLine(String line) {
                    seen.add(line);
                    return line.startsWith("progress ");
                }

                @Override
                public void onEnd() {
                    ended.countDown();
                }
            };
            ToolCommand cmd = ToolCommand.builder("sh", "/bin/sh").arg("-c",
                    "echo 'progress 1' >&2; echo \"error: $SECRET_VALUE\" >&2; echo 'progress 2' >&2; exit 4")
                    .secretEnv("SECRET_VALUE", Secret.of("s3cr3t-value")).timeout(Duration.ofSeconds(30)).build();
            try (ToolProcess p = runner.start(cmd, listener)) {
                p.stdin().close();
                assertThatThrownBy(p::await).isInstanceOfSatisfying(ToolException.class,
                        e -> assertThat(e.stderrTail()).isEqualTo("error: ***"));
            }
            assertThat(ended.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(seen).containsExactly("progress 1", "error: s3cr3t-value", "progress 2");
        }

        @Test
        @DisplayName("a listener that throws is dropped, and the draining goes on: a chatty tool still finishes")
        void failingListener() {
            StderrListener listener = line -> {
                throw new IllegalStateException("listener bug");
            };
            try (ToolProcess p = runner.start(sh("head -c 1048576 /dev/zero | tr '\\0' '\\n' >&2; echo last >&2"),
                    listener)) {
                p.stdin().close();
                assertThat(p.await().stderrTail()).endsWith("last");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Nested
    class Secrets {
        @Test
        @DisplayName("secrets reach the child through the environment, never its argument list")
        void secretsInEnvironment() {
            Secret s = Secret.of("s3cr3t-Value");
            ToolCommand cmd = ToolCommand.builder("sh", "/bin/sh").arg("-c", "printf %s \"$PGPASSWORD\"")
                    .secretEnv("PGPASSWORD", s).build();
            assertThat(runner.run(cmd).stdout()).isEqualTo("***");
            assertThat(cmd.toString()).doesNotContain("s3cr3t");
        }

        @Test
        @DisplayName("a secret placed in the argument list is refused")
        void secretInArgsRefused() {
            assertThatThrownBy(() -> ToolCommand.builder("psql", "psql").arg("password=hunter22")
                    .secretEnv("PGPASSWORD", Secret.of("hunter22")).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageNotContaining("hunter22");
        }

        @Test
        @DisplayName("a tool inherits no secret from this process: variables read with Secret.fromEnv and names that "
                + "say password, passphrase or secret are removed; what the command sets is kept")
        void environmentScrubbed() {
            // set by the surefire configuration of this module
            assertThat(System.getenv("PGVAULT_TEST_INHERITED")).isEqualTo("visible");
            assertThat(System.getenv("PGVAULT_TEST_PASSPHRASE")).isEqualTo("hidden");
            assertThat(ProcessRunner.secretName("BACKUP_PASSPHRASE")).isTrue();
            assertThat(ProcessRunner.secretName("AWS_SECRET_ACCESS_KEY")).isTrue();
            assertThat(ProcessRunner.secretName("PGPASSWORD")).isTrue();
            assertThat(ProcessRunner.secretName("PGBACKREST_REPO1_CIPHER_PASS")).isTrue();
            assertThat(ProcessRunner.secretName("PGVAULT_INTEGRITY_KEY")).isTrue();
            assertThat(ProcessRunner.secretName("DATABASE_URL")).isTrue();
            assertThat(ProcessRunner.secretName("PATH")).isFalse();
            assertThat(ProcessRunner.secretName("PGSSLKEY")).isFalse(); // a path libpq needs, not a secret
            ToolCommand env = ToolCommand.builder("env", "/usr/bin/env").secretEnv("PGVAULT_GIVEN_PASSWORD",
                    Secret.of("given-to-the-tool")).build();
            assertThat(runner.run(env).stdout()).contains("PGVAULT_TEST_INHERITED=visible")
                    .doesNotContain("PGVAULT_TEST_PASSPHRASE").contains("PGVAULT_GIVEN_PASSWORD=");

            assertThat(Secret.fromEnv("PGVAULT_TEST_INHERITED")).isPresent(); // read as a secret from now on
            assertThat(runner.run(env).stdout()).doesNotContain("PGVAULT_TEST_INHERITED");
        }

        @Test
        @DisplayName("secrets echoed on stderr are redacted in the exception and its tail")
        void stderrRedacted() {
            ToolCommand cmd = ToolCommand.builder("sh", "/bin/sh")
                    .arg("-c", "echo \"auth failed for $PGPASSWORD\" >&2; exit 1")
                    .secretEnv("PGPASSWORD", Secret.of("topsecret!")).build();
            assertThatThrownBy(() -> runner.run(cmd)).isInstanceOfSatisfying(ToolException.class, e -> {
                assertThat(e.getMessage()).doesNotContain("topsecret!").contains("auth failed for ***");
                assertThat(e.stderrTail()).doesNotContain("topsecret!");
            });
        }
    }

    @Nested
    class Launchers {
        private final List<String> cmd = List.of("pgbackrest", "--stanza=main", "backup");

        @Test
        @DisplayName("runuser keeps the environment and prefixes the command")
        void runuser() {
            assertThat(Launcher.runuser("postgres").wrap(cmd, Set.of("PGBACKREST_REPO1_CIPHER_PASS")))
                    .containsExactly("runuser", "-u", "postgres", "--", "pgbackrest", "--stanza=main", "backup");
        }

        @Test
        @DisplayName("sudo preserves only the named variables, by name")
        void sudo() {
            assertThat(Launcher.sudo("postgres").wrap(cmd, new java.util.TreeSet<>(Set.of("A", "B"))))
                    .containsExactly("sudo", "-n", "--preserve-env=A,B", "-u", "postgres", "--",
                            "pgbackrest", "--stanza=main", "backup");
        }

        @Test
        @DisplayName("docker exec passes variables by name so their values stay off argv")
        void dockerExec() {
            assertThat(Launcher.dockerExec("db", "postgres").wrap(cmd, Set.of("PGPASSWORD")))
                    .containsExactly("docker", "exec", "-i", "-u", "postgres", "-e", "PGPASSWORD", "db",
                            "pgbackrest", "--stanza=main", "backup");
        }

        @Test
        @DisplayName("ssh sends variables with SendEnv and quotes the remote command")
        void ssh() {
            assertThat(Launcher.ssh("postgres@db1").wrap(List.of("psql", "-c", "select 'x'"), Set.of("PGPASSWORD")))
                    .containsExactly("ssh", "-o", "BatchMode=yes", "-o", "SendEnv=PGPASSWORD", "postgres@db1", "--",
                            "psql -c 'select '\"'\"'x'\"'\"''");
        }

        @Test
        @DisplayName("ssh and docker exec bound the tool on the other side with timeout -k; local ones do not")
        void remoteTimeout() {
            Duration limit = Duration.ofMillis(90_500);
            assertThat(Launcher.ssh("postgres@db1").wrap(List.of("pg_dump", "-d", "x"), Set.of(), limit))
                    .containsExactly("ssh", "-o", "BatchMode=yes", "postgres@db1", "--", "timeout -k 10 96 pg_dump -d x");
            assertThat(Launcher.dockerExec("db", "postgres").wrap(List.of("pg_dump"), Set.of(), limit))
                    .containsExactly("docker", "exec", "-i", "-u", "postgres", "db", "timeout", "-k", "10", "96",
                            "pg_dump");
            assertThat(Launcher.runuser("postgres").wrap(List.of("pg_dump"), Set.of(), limit))
                    .containsExactly("runuser", "-u", "postgres", "--", "pg_dump");
        }

        @Test
        @DisplayName("a timed-out tool on the far side of a detaching launcher (as ssh leaves it) is stopped there too")
        void remoteSideStopped() throws Exception {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")),
                    "setsid (util-linux) is not installed");
            // setsid --fork --wait: the tool runs in its own session, and killing the local client leaves it
            // running, as killing ssh or docker exec leaves the remote tool
            Launcher detached = new Launcher() {
                @Override
                public List<String> wrap(List<String> command, Set<String> envNames) {
                    List<String> out = new java.util.ArrayList<>(List.of("setsid", "--fork", "--wait"));
                    out.addAll(command);
                    return out;
                }

                @Override
                public List<String> wrap(List<String> command, Set<String> envNames, Duration timeout) {
                    return wrap(Launcher.remoteTimeout(command, timeout), envNames);
                }

                @Override
                public String describe() {
                    return "detached";
                }
            };
            String marker = "3141." + ProcessHandle.current().pid();
            ToolCommand cmd = ToolCommand.builder("sleeper", "sleep").arg(marker).timeout(Duration.ofSeconds(2))
                    .build();
            assertThatThrownBy(() -> new ProcessRunner(detached).run(cmd))
                    .isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.allProcesses()
                    .noneMatch(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false)));
        }

        @Test
        @DisplayName("a user name that looks like an option is refused")
        void unsafeUser() {
            assertThatThrownBy(() -> Launcher.runuser("-x")).isInstanceOf(ConfigurationException.class);
        }

        @Test
        @DisplayName("a runner with the local launcher runs the tool itself")
        void localRuns() {
            assertThat(new ProcessRunner(Launcher.local()).run(sh("echo ok")).stdout()).isEqualTo("ok\n");
        }
    }

    @Test
    @DisplayName("the redactor hides known secrets and password assignments")
    void redactor() {
        Redactor r = new Redactor(List.of(Secret.of("abc123XYZ")));
        assertThat(r.redact("token abc123XYZ, password=other pass:x"))
                .isEqualTo("token ***, password=*** pass:x");
    }
}
