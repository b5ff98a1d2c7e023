package io.pgvault.storage.local;

import io.pgvault.spi.Repository;
import io.pgvault.testkit.RepositoryContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

@DisplayName("LocalRepository passes the Repository contract")
class LocalRepositoryContractTest extends RepositoryContract {
    @TempDir
    Path directory;

    @Override
    protected Repository newRepository() {
        return LocalRepository.at(directory.resolve("repository"));
    }
}
