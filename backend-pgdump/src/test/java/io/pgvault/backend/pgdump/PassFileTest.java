package io.pgvault.backend.pgdump;

import io.pgvault.api.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** Password files: 0600, unpredictable names carrying the writer's pid, swept when their writer was killed. */
class PassFileTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a password file is 0600, named after this process, and gone after close")
    void written() throws Exception {
        Path path;
        try (PassFile f = PassFile.write("app", Secret.of("s3cr:et"))) {
            path = f.path();
            assertThat(path.getFileName().toString()).startsWith("pgvault-" + ProcessHandle.current().pid() + "-");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
            assertThat(Files.readString(path)).isEqualTo("*:*:*:app:s3cr\\:et\n");
        }
        assertThat(path).doesNotExist();
    }

    @Test
    @DisplayName("the files of a process that no longer runs are swept; a live process's, links and others are kept")
    void sweep() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        Path left = Files.writeString(dir.resolve("pgvault-" + dead + "-123.pgpass"), "*:*:*:u:p\n");
        Path live = Files.writeString(dir.resolve("pgvault-" + ProcessHandle.current().pid() + "-456.pgpass"), "x");
        Path other = Files.writeString(dir.resolve("pgvault-" + dead + "-789.txt"), "x");
        Path target = Files.writeString(dir.resolve("precious"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("pgvault-" + dead + "-000.pgpass"), target);

        assertThat(PassFile.sweep(dir)).isEqualTo(1);
        assertThat(left).doesNotExist();
        assertThat(live).exists();
        assertThat(other).exists();
        assertThat(link).exists();
        assertThat(Files.readString(target)).isEqualTo("keep");
    }
}
