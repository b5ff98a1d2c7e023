package io.pgvault.storage.gdrive;

import com.google.api.services.drive.model.File;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("ResumableUpload streams in bounded memory")
class ResumableUploadTest {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    @Test
    @DisplayName("a 256 MiB object goes up in 8 MiB chunks through two chunk buffers (one filling, one sending), "
            + "and Drive's MD5 matches")
    void largeObjectTwoBuffers() throws IOException {
        GoogleDriveRepositoryConfig config = DRIVE.config("stream").build();
        DriveClients clients = new DriveClients(config);
        Retrier retrier = new Retrier(3, Duration.ofMillis(1), Duration.ofMillis(10));
        long size = 256L * 1024 * 1024 + 4321;
        File metadata = new File().setName("big").setParents(List.of("root"));
        int chunksBefore = DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK);
        String sha256;
        File file;
        int buffers;
        try (ResumableUpload upload = new ResumableUpload(clients, retrier, config, metadata, "test upload")) {
            sha256 = new GeneratedContent(size, 77).writeTo(upload);
            file = upload.complete();
            buffers = upload.chunkBuffersAllocated();
            assertThat(file.getMd5Checksum()).isEqualTo(upload.md5Hex());
            assertThat(upload.sha256Hex()).isEqualTo(sha256);
        }
        assertThat(buffers).isEqualTo(2);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (senderThreads() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(senderThreads()).as("sender threads left after close").isZero();
        assertThat(file.getSize()).isEqualTo(size);
        assertThat(DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK) - chunksBefore).isEqualTo(33);
        DriveFile stored = DRIVE.fake().file(file.getId()).orElseThrow();
        try (InputStream in = DRIVE.fake().openContent(stored.id())) {
            assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(size, sha256));
        }
    }

    @Test
    @DisplayName("an object smaller than a chunk never allocates a chunk-sized buffer")
    void smallObjectSmallBuffer() throws IOException {
        GoogleDriveRepositoryConfig config = DRIVE.config("stream").build();
        DriveClients clients = new DriveClients(config);
        Retrier retrier = new Retrier(3, Duration.ofMillis(1), Duration.ofMillis(10));
        try (ResumableUpload upload = new ResumableUpload(clients, retrier, config,
                new File().setName("small").setParents(List.of("root")), "test upload")) {
            upload.write(new byte[100_000]);
            assertThat(upload.complete().getSize()).isEqualTo(100_000L);
            assertThat(upload.chunkBuffersAllocated()).isZero();
        }
    }

    private static long senderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("pgvault-drive-upload")).count();
    }
}
