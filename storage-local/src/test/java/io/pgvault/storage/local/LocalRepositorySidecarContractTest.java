package io.pgvault.storage.local;

import io.pgvault.spi.Repository;
import io.pgvault.testkit.RepositoryContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

@DisplayName("LocalRepository with checksum sidecar files passes the Repository contract")
class LocalRepositorySidecarContractTest extends RepositoryContract {
    @TempDir
    Path directory;

    @Override
    protected Repository newRepository() {
        return LocalRepository.of(LocalRepositoryConfig.builder(directory.resolve("repository"))
                .checksumStorage(ChecksumStorage.SIDECAR_FILE)
                .build());
    }

    /** The large round trip does not touch sidecars; LocalRepositoryContractTest runs it at full size. */
    @Override
    protected long largeObjectBytes() {
        return 64L << 20;
    }
}
