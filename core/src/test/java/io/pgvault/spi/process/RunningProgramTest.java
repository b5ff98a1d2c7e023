package io.pgvault.spi.process;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RunningProgramTest {
    @Test
    @DisplayName("a plain executable is the program; through the loader, the first argument that is no loader option")
    void parses() {
        assertThat(RunningProgram.of(Optional.of("/usr/lib/postgresql/15/bin/postgres"), List.of("-D", "/d")))
                .contains(Path.of("/usr/lib/postgresql/15/bin/postgres"));
        assertThat(RunningProgram.of(Optional.of("/t/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                List.of("--library-path", "/t/usr/lib/x86_64-linux-gnu", "--argv0", "/t/bin/postgres",
                        "/t/bin/.elf/postgres", "-D", "/d")))
                .contains(Path.of("/t/bin/.elf/postgres"));
        assertThat(RunningProgram.of(Optional.of("/lib64/ld-linux-x86-64.so.2"), List.of("--inhibit-cache",
                "/bin/pg_dump", "--argv0", "x"))).contains(Path.of("/bin/pg_dump"));
        assertThat(RunningProgram.of(Optional.of("/lib/ld.so"), List.of("--argv0", "x"))).isEmpty();
        assertThat(RunningProgram.of(Optional.of("/lib/x86_64-linux-gnu/ld-2.31.so"), List.of("/bin/pg_dump")))
                .contains(Path.of("/bin/pg_dump"));
        assertThat(RunningProgram.of(Optional.empty(), List.of("x"))).isEmpty();
        // a program merely named like a loader's option is still the program
        assertThat(RunningProgram.of(Optional.of("/usr/bin/ld.gold"), List.of("--argv0"))).contains(
                Path.of("/usr/bin/ld.gold"));
    }

    @Test
    @DisplayName("a real process started through the system's loader is known by its program's name")
    void realLoader() throws Exception {
        Path loader = Path.of("/lib64/ld-linux-x86-64.so.2");
        assumeTrue(Files.isExecutable(loader), "no x86-64 glibc loader at " + loader);
        Process p = new ProcessBuilder(loader.toString(), "--argv0", "pg_dump", "/bin/sleep", "30").start();
        try {
            ProcessHandle h = p.toHandle();
            assertThat(RunningProgram.of(h)).contains(Path.of("/bin/sleep"));
            assertThat(RunningProgram.named(h, "sleep")).isTrue();
            assertThat(RunningProgram.named(h, "ld-linux-x86-64.so.2")).isFalse();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
