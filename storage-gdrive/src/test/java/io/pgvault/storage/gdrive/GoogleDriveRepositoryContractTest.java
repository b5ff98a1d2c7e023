package io.pgvault.storage.gdrive;

import io.pgvault.spi.Repository;
import io.pgvault.testkit.RepositoryContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Collection;
import java.util.List;

@DisplayName("GoogleDriveRepository passes the Repository contract against the Drive v3 fake")
class GoogleDriveRepositoryContractTest extends RepositoryContract {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    @Override
    protected Repository newRepository() {
        // 256 KiB chunks: most objects of the contract span several chunks
        return GoogleDriveRepository.of(DRIVE.config(DriveFixture.uniqueFolder("contract"))
                .chunkSize(256 * 1024).build());
    }

    @Override
    protected long largeObjectBytes() {
        // 64 MiB and a bit: many chunks, an odd tail; StreamingUploadTest moves 256 MiB with a memory bound, and
        // -Dpgvault.contract.largeBytes overrides this
        return Long.getLong(LARGE_BYTES_PROPERTY, 64L * 1024 * 1024 + 12_345);
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(DriveFixture.CLIENT_SECRET, DriveFixture.REFRESH_TOKEN);
    }
}
