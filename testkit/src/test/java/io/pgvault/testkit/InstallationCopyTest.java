package io.pgvault.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class InstallationCopyTest {
    @Test
    @DisplayName("a complete copy under /tmp is reused; one anyone may write (planted) is not run, a private one is made")
    void plantedCopyIgnored(@TempDir Path installation) throws IOException {
        Files.createDirectories(installation.resolve("bin"));
        Files.writeString(installation.resolve("bin/postgres"), "#!/bin/sh\necho real\n");
        String name = "pgvault-test-copy-" + ProcessHandle.current().pid();

        Path first = InstallationCopy.of(installation, name);
        try {
            assertThat(InstallationCopy.of(installation, name)).isEqualTo(first);
            assertThat(first.resolve("bin/postgres")).hasContent("#!/bin/sh\necho real");

            // another user's copy would look like this to us: a complete marker in a directory others may write
            Files.writeString(first.resolve("bin/postgres"), "#!/bin/sh\necho planted\n");
            Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path second = InstallationCopy.of(installation, name);
            try {
                assertThat(second).isNotEqualTo(first);
                assertThat(second.resolve("bin/postgres")).hasContent("#!/bin/sh\necho real");
            } finally {
                Directories.deleteRecursively(second);
            }
        } finally {
            Directories.deleteRecursively(first);
        }
    }
}
