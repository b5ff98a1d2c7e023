package io.pgvault.backend.pgdump;

import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Pausing a process named pg_dump (a copy of sleep): stopped, continued, and never left stopped. */
class DumpPauseTest {

    @Test
    @DisplayName("pause stops the process, resume continues it, and closing the helper continues it too")
    void pauseAndResume(@TempDir Path dir) throws IOException {
        Path fake = dir.resolve("pg_dump");
        Files.copy(Path.of("/bin/sleep"), fake);
        fake.toFile().setExecutable(true);
        ProcessRunner runner = ProcessRunner.local();
        try (ToolProcess sleeper = runner.start(ToolCommand.builder("pg_dump", fake.toString()).arg("60")
                .timeout(Duration.ofMinutes(1)).build())) {
            long pid = sleeper.toHandle().pid();
            DumpPause pause = DumpPause.start(runner, sleeper, Duration.ofMinutes(1)).orElseThrow();

            // signals arrive asynchronously: wait for the state to show them
            assertThat(pause.pause()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) == 'T');
            assertThat(pause.resume()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) != 'T');
            assertThat(pause.pause()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) == 'T');

            pause.close(); // as when this process dies: the helper's input ends
            await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) != 'T');
            assertThat(sleeper.isAlive()).isTrue();
        }
    }

    @Test
    @DisplayName("through runuser, the pg_dump under the wrapper is found and paused as its own user")
    void throughRunuser() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "runuser needs root");
        Path dir = Files.createTempDirectory("pgvault-pause-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            Path fake = dir.resolve("pg_dump");
            Files.copy(Path.of("/bin/sleep"), fake);
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
            ProcessRunner runner = new ProcessRunner(Launcher.runuser("postgres"));
            try (ToolProcess wrapped = runner.start(ToolCommand.builder("pg_dump", fake.toString()).arg("60")
                    .timeout(Duration.ofMinutes(1)).build())) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> DumpPause.leader(wrapped.toHandle()).isPresent());
                long pid = DumpPause.leader(wrapped.toHandle()).orElseThrow().pid();
                assertThat(pid).isNotEqualTo(wrapped.toHandle().pid());
                try (DumpPause pause = DumpPause.start(runner, wrapped, Duration.ofMinutes(1)).orElseThrow()) {
                    assertThat(pause.pause()).isTrue();
                    await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) == 'T');
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) != 'T');
            }
        } finally {
            Files.deleteIfExists(dir.resolve("pg_dump"));
            Files.delete(dir);
        }
    }

    @Test
    @DisplayName("a pg_dump run through its own loader by a wrapper (a newer distribution's build) is found and paused")
    void throughLoader(@TempDir Path dir) throws IOException {
        Path loader = Path.of("/lib64/ld-linux-x86-64.so.2");
        assumeTrue(Files.isExecutable(loader), "no x86-64 glibc loader at " + loader);
        Path elf = Files.createDirectories(dir.resolve(".elf")).resolve("pg_dump");
        Files.copy(Path.of("/bin/sleep"), elf);
        elf.toFile().setExecutable(true);
        Path wrapper = dir.resolve("pg_dump");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + loader + " --argv0 \"$0\" " + elf + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        ProcessRunner runner = ProcessRunner.local();
        try (ToolProcess dump = runner.start(ToolCommand.builder("pg_dump", wrapper.toString()).arg("60")
                .timeout(Duration.ofMinutes(1)).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> DumpPause.leader(dump.toHandle()).isPresent());
            long pid = DumpPause.leader(dump.toHandle()).orElseThrow().pid();
            try (DumpPause pause = DumpPause.start(runner, dump, Duration.ofMinutes(1)).orElseThrow()) {
                assertThat(pause.pause()).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) == 'T');
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> state(pid) != 'T');
        }
    }

    @Test
    @DisplayName("a process tree without a pg_dump in it is not paused")
    void noLeader() {
        ProcessRunner runner = ProcessRunner.local();
        try (ToolProcess other = runner.start(ToolCommand.builder("sleep", "/bin/sleep").arg("60").build())) {
            assertThat(DumpPause.start(runner, other, Duration.ofMinutes(1))).isEmpty();
        }
    }

    /** @return the state letter of /proc/PID/stat: T when stopped */
    private static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
