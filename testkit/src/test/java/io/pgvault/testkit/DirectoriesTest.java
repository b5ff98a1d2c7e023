package io.pgvault.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class DirectoriesTest {

    @Test
    void createsAServerOwnedDirectoryUnderTheGivenParentAndDeletesItWithWhatItHolds(@TempDir Path parent)
            throws Exception {
        Path dir = Directories.createServerOwned(parent, "pgvault-dirs-");
        try {
            assertThat(dir.getParent()).isEqualTo(parent);
            assertThat(dir.getFileName().toString()).startsWith("pgvault-dirs-");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
            String expectedOwner = "root".equals(System.getProperty("user.name"))
                    ? PostgresCluster.SUPERUSER : System.getProperty("user.name");
            assertThat(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(expectedOwner);

            Path readOnly = Files.createDirectories(dir.resolve("a/b"));
            Files.writeString(readOnly.resolve("f"), "x");
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-x------"));
        } finally {
            Directories.deleteRecursively(dir);
        }
        assertThat(dir).doesNotExist();
        Directories.deleteRecursively(dir);
    }

    @Test
    void theOneArgumentFormCreatesUnderTmp() {
        Path dir = Directories.createServerOwned("pgvault-dirs-");
        try {
            assertThat(dir.getParent()).isEqualTo(Path.of("/tmp"));
        } finally {
            Directories.deleteRecursively(dir);
        }
        assertThat(dir).doesNotExist();
    }
}
