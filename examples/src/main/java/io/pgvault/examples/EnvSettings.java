package io.pgvault.examples;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The settings the example mains read from environment variables, named the same way in each. */
final class EnvSettings {
    private EnvSettings() {
    }

    /** @throws ConfigurationException when {@code name} is unset or blank */
    static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new ConfigurationException(name + " is not set");
        }
        return value;
    }

    /** @throws ConfigurationException when {@code name} is unset or blank */
    static Secret secret(Map<String, String> env, String name) {
        return Secret.of(require(env, name));
    }

    /**
     * An S3 repository from {@code BACKUP_S3_BUCKET}, {@code BACKUP_S3_PREFIX} (else {@code defaultPrefix}),
     * {@code AWS_REGION} (else us-east-1) and optionally {@code BACKUP_S3_ENDPOINT} (an S3-compatible service,
     * addressed path-style), with the SDK's credentials from the environment.
     */
    static S3RepositoryConfig.Builder s3(Map<String, String> env, String defaultPrefix) {
        S3RepositoryConfig.Builder s3 = S3RepositoryConfig.builder(require(env, "BACKUP_S3_BUCKET"))
                .prefix(env.getOrDefault("BACKUP_S3_PREFIX", defaultPrefix))
                .region(env.getOrDefault("AWS_REGION", "us-east-1"))
                .credentials(S3Credentials.environment());
        Optional.ofNullable(env.get("BACKUP_S3_ENDPOINT")).map(URI::create)
                .ifPresent(endpoint -> s3.endpoint(endpoint).pathStyle(true));
        return s3;
    }

    /**
     * A Google Drive repository from the service account key in {@code DRIVE_SERVICE_ACCOUNT_FILE}, under the folder
     * {@code DRIVE_FOLDER_ID} in a subfolder {@code DRIVE_FOLDER} (else {@code defaultFolder}).
     */
    static GoogleDriveRepositoryConfig drive(Map<String, String> env, String defaultFolder) throws IOException {
        Secret key = Secret.of(Files.readString(Path.of(require(env, "DRIVE_SERVICE_ACCOUNT_FILE"))));
        return GoogleDriveRepositoryConfig.builder(DriveCredentials.serviceAccount(key))
                .rootFolderId(require(env, "DRIVE_FOLDER_ID"))
                .folder(env.getOrDefault("DRIVE_FOLDER", defaultFolder))
                .build();
    }
}
