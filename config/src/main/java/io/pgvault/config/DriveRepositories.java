package io.pgvault.config;

import io.pgvault.config.PgVaultSettings.DriveSettings;
import io.pgvault.spi.Repository;
import io.pgvault.storage.gdrive.DeleteMode;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;

/** Google Drive repositories (pgvault-storage-gdrive). */
final class DriveRepositories {
    private DriveRepositories() {
    }

    static Repository open(DriveSettings d, String at) {
        GoogleDriveRepositoryConfig.Builder b = GoogleDriveRepositoryConfig.builder(DriveCredentials.serviceAccount(
                d.serviceAccountKey().resolve(at + ".service-account-key"))).rootFolderId(d.rootFolderId())
                .folder(d.folder()).deleteMode(d.trash() ? DeleteMode.TRASH : DeleteMode.PERMANENT);
        d.sharedDrive().ifPresent(b::sharedDrive);
        d.rootUrl().ifPresent(b::rootUrl);
        return GoogleDriveRepository.of(b.build());
    }
}
