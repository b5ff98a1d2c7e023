package io.pgvault.config;

import io.pgvault.config.PgVaultSettings.RepositorySettings;
import io.pgvault.spi.Repository;

import java.util.List;

/** Opens a configured repository through the module that implements it, each loaded only when used. */
final class Repositories {
    private Repositories() {
    }

    /** @return the repository, or {@code null} with the reason among {@code problems} */
    static Repository open(RepositorySettings r, String at, List<String> problems) {
        if (r.local().isPresent()) {
            return Modules.present("io.pgvault.storage.local.LocalRepository", at + ".local",
                    "pgvault-storage-local", problems)
                    ? LogicalAssembly.guarded(() -> LocalRepositories.open(r.local().get()), problems, at + ".local")
                    : null;
        }
        if (r.s3().isPresent()) {
            return Modules.present("io.pgvault.storage.s3.S3Repository", at + ".s3", "pgvault-storage-s3", problems)
                    ? LogicalAssembly.guarded(() -> S3Repositories.open(r.s3().get(), at + ".s3"), problems,
                            at + ".s3")
                    : null;
        }
        if (r.drive().isPresent()) {
            return Modules.present("io.pgvault.storage.gdrive.GoogleDriveRepository", at + ".drive",
                    "pgvault-storage-gdrive", problems)
                    ? LogicalAssembly.guarded(() -> DriveRepositories.open(r.drive().get(), at + ".drive"), problems,
                            at + ".drive")
                    : null;
        }
        return null;
    }
}
