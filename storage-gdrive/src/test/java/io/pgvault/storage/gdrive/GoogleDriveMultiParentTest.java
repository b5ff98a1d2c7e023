package io.pgvault.storage.gdrive;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("GoogleDriveRepository when Drive silently drops parents from multi-parent queries")
class GoogleDriveMultiParentTest {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    private static final String MANIFEST = "manifests/20261201T000000Z-main.json";

    @AfterEach
    void resetFaults() {
        DRIVE.fake().clearFaults();
    }

    private static GoogleDriveRepository repository(String folder) {
        return GoogleDriveRepository.of(DRIVE.config(folder).build());
    }

    private static byte[] read(GoogleDriveRepository repository, String key) throws IOException {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        }
    }

    private static List<String> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).toList();
    }

    private static int lists() {
        return DRIVE.fake().requests(DriveEndpoint.LIST);
    }

    @Test
    @DisplayName("delete removes a manifest in its subfolder: no listed set outlives its data")
    void deleteManifest() {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("multi"))) {
            repository.put("data/20261201T000000Z-main/0001", out -> out.write(1));
            repository.put(MANIFEST, out -> out.write(2));
            DRIVE.fake().incompleteMultiParentSearch(true);

            repository.delete(MANIFEST);

            assertThat(repository.stat(MANIFEST)).isEmpty();
            assertThat(keys(repository.list("manifests/"))).isEmpty();
            assertThat(DRIVE.fake().descendants(repository.folderId())).filteredOn(f -> !f.trashed())
                    .extracting(DriveFile::name).doesNotContain("20261201T000000Z-main.json");
        }
    }

    @Test
    @DisplayName("a fresh process finds, reads and replaces a key in a subfolder")
    void coldLookups() throws IOException {
        String folder = DriveFixture.uniqueFolder("multi");
        try (GoogleDriveRepository writer = repository(folder)) {
            writer.put(MANIFEST, out -> out.write(1));
        }
        DRIVE.fake().incompleteMultiParentSearch(true);
        try (GoogleDriveRepository reader = repository(folder)) {
            assertThat(reader.stat(MANIFEST)).isPresent();
            assertThat(read(reader, MANIFEST)).containsExactly(1);
        }
        try (GoogleDriveRepository writer = repository(folder)) {
            writer.put(MANIFEST, out -> out.write(2));
            assertThat(read(writer, MANIFEST)).containsExactly(2);
            assertThat(DRIVE.fake().descendants(writer.folderId())).filteredOn(f -> !f.isFolder() && !f.trashed())
                    .as("the replaced file was found and removed").hasSize(1);
        }
    }

    @Test
    @DisplayName("a listing of 45 subfolders (more than one query's 40) returns every key")
    void listingManySubfolders() {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("multi"))) {
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 45; i++) {
                String key = String.format("archive/main/15-1/%016X/segment", i);
                repository.put(key, out -> out.write(3));
                written.add(key);
            }
            int before = lists();
            assertThat(keys(repository.list(""))).containsExactlyElementsOf(written);
            assertThat(lists() - before).as("the repository folder, then 40 + 5 subfolders").isEqualTo(3);

            DRIVE.fake().incompleteMultiParentSearch(true);
            assertThat(keys(repository.list(""))).containsExactlyElementsOf(written);
            assertThat(keys(repository.list("archive/main/"))).containsExactlyElementsOf(written);
        }
    }

    @Test
    @DisplayName("after a listing showed no flat-layout files, a lookup is one query per subfolder of the parent path")
    void lookupCost() {
        String folder = DriveFixture.uniqueFolder("multi");
        try (GoogleDriveRepository writer = repository(folder)) {
            writer.put(MANIFEST, out -> out.write(1));
        }
        try (GoogleDriveRepository reader = repository(folder)) {
            int before = lists();
            assertThat(reader.stat(MANIFEST)).isPresent();
            assertThat(lists() - before).as("cold: the repository folder (subfolder and flat file), the subfolder")
                    .isEqualTo(2);
            reader.list("");
            before = lists();
            assertThat(reader.stat(MANIFEST)).isPresent();
            assertThat(lists() - before).as("warm, the root known to hold no flat files: the subfolder").isEqualTo(1);
        }
    }
}
