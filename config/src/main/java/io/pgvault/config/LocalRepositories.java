package io.pgvault.config;

import io.pgvault.config.PgVaultSettings.LocalSettings;
import io.pgvault.spi.Repository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.local.LocalRepositoryConfig;

/** Local repositories (pgvault-storage-local). */
final class LocalRepositories {
    private LocalRepositories() {
    }

    static Repository open(LocalSettings l) {
        return LocalRepository.of(LocalRepositoryConfig.builder(l.path()).createRoot(l.createRoot()).build());
    }
}
