package io.pgvault.examples;

import io.pgvault.api.ConfigurationException;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.s3.S3RepositoryConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvSettingsTest {

    @Test
    @DisplayName("a required variable that is unset or blank is a ConfigurationException naming it")
    void required() {
        assertThat(EnvSettings.require(Map.of("A", "x"), "A")).isEqualTo("x");
        assertThatThrownBy(() -> EnvSettings.require(Map.of(), "BACKUP_DIR"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("BACKUP_DIR is not set");
        assertThatThrownBy(() -> EnvSettings.secret(Map.of("KEY", " "), "KEY"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("KEY is not set");
        assertThat(EnvSettings.secret(Map.of("KEY", "s3cr3t"), "KEY").reveal()).isEqualTo("s3cr3t");
    }

    @Test
    @DisplayName("S3: the caller's default prefix and us-east-1 unless set; an endpoint switches to path-style")
    void s3() {
        S3RepositoryConfig aws = EnvSettings.s3(Map.of("BACKUP_S3_BUCKET", "backups"), "pgbackrest").build();
        assertThat(aws.bucket()).isEqualTo("backups");
        assertThat(aws.prefix()).startsWith("pgbackrest");
        assertThat(aws.region()).isEqualTo("us-east-1");
        assertThat(aws.endpoint()).isEmpty();
        assertThat(aws.pathStyle()).isFalse();

        S3RepositoryConfig compatible = EnvSettings.s3(Map.of("BACKUP_S3_BUCKET", "b2-backups", "BACKUP_S3_PREFIX", "app/",
                "AWS_REGION", "eu-central-003", "BACKUP_S3_ENDPOINT", "https://s3.example.com"), "").build();
        assertThat(compatible.prefix()).isEqualTo("app/");
        assertThat(compatible.region()).isEqualTo("eu-central-003");
        assertThat(compatible.endpoint()).contains(URI.create("https://s3.example.com"));
        assertThat(compatible.pathStyle()).isTrue();

        assertThatThrownBy(() -> EnvSettings.s3(Map.of(), ""))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("BACKUP_S3_BUCKET");
    }

    @Test
    @DisplayName("Drive: the key is read from the file, the folder defaults to the caller's")
    void drive(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("drive.json"), "{\"type\":\"service_account\"}");
        GoogleDriveRepositoryConfig config = EnvSettings.drive(Map.of("DRIVE_SERVICE_ACCOUNT_FILE", key.toString(),
                "DRIVE_FOLDER_ID", "1AbC"), "pgvault-pgbackrest");
        assertThat(config.rootFolderId()).isEqualTo("1AbC");
        assertThat(config.folder()).isEqualTo("pgvault-pgbackrest");
        assertThat(config.credentials().toString()).doesNotContain("service_account");

        assertThatThrownBy(() -> EnvSettings.drive(Map.of("DRIVE_FOLDER_ID", "1AbC"), "pgvault"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("DRIVE_SERVICE_ACCOUNT_FILE");
    }
}
