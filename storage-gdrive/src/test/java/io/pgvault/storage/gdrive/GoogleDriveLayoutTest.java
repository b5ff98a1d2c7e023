package io.pgvault.storage.gdrive;

import com.google.api.client.http.ByteArrayContent;
import com.google.api.services.drive.Drive;
import com.google.api.services.drive.model.File;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFault;
import io.pgvault.testkit.gdrive.DriveFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("GoogleDriveRepository lays keys out in one subfolder per parent path")
class GoogleDriveLayoutTest {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    private static GoogleDriveRepository repository(String folder) {
        return GoogleDriveRepository.of(DRIVE.config(folder).build());
    }

    private static byte[] read(GoogleDriveRepository repository, String key) throws IOException {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        }
    }

    private static List<DriveFile> live(String folderId) {
        return DRIVE.fake().children(folderId).stream().filter(f -> !f.trashed()).toList();
    }

    private static List<String> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).toList();
    }

    @Test
    @DisplayName("a key's parent path names a subfolder marked as pgvault's, holding a file named by the last segment; "
            + "a top-level key is a file in the repository folder")
    void subfolders() throws IOException {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("layout"))) {
            String wal = "archive/main/15-1/0000000100000000/000000010000000000000001-abc.gz";
            repository.put(wal, out -> out.write(1));
            repository.put("backup.info", out -> out.write(2));

            List<DriveFile> top = live(repository.folderId());
            assertThat(top).extracting(DriveFile::name).containsExactlyInAnyOrder(
                    "archive/main/15-1/0000000100000000", "backup.info");
            DriveFile directory = top.stream().filter(DriveFile::isFolder).findFirst().orElseThrow();
            assertThat(directory.appProperties()).containsKey("pgvaultDir");
            assertThat(live(directory.id())).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("000000010000000000000001-abc.gz");
                assertThat(f.appProperties()).containsKeys("pgvaultSha256", "pgvaultCommit");
            });
            assertThat(keys(repository.list(""))).containsExactly(wal, "backup.info");
            assertThat(read(repository, wal)).containsExactly(1);
        }
    }

    @Test
    @DisplayName("a WAL archive past a folder's item limit fits: 3 WAL directories of 8 segments each, 10 items a folder")
    void withinTheFolderItemLimit() throws IOException {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("layout"))) {
            DRIVE.fake().folderItemLimit(10);
            try {
                List<String> written = new ArrayList<>();
                for (int directory = 0; directory < 3; directory++) {
                    for (int segment = 0; segment < 8; segment++) {
                        String key = String.format("archive/main/15-1/000000010000000%d/000000010000000%d000000%02X",
                                directory, directory, segment);
                        repository.put(key, out -> out.write(7));
                        written.add(key);
                    }
                }
                assertThat(keys(repository.list("archive/"))).containsExactlyElementsOf(written);
                assertThat(read(repository, written.get(23))).containsExactly(7);
            } finally {
                DRIVE.fake().folderItemLimit(Integer.MAX_VALUE);
            }
        }
    }

    @Test
    @DisplayName("listing a prefix reads the repository folder, then only the subfolders that can hold matching keys")
    void prefixListing() {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("layout"))) {
            for (String key : List.of("a/1/x", "a/2/y", "b/3/z", "top")) {
                repository.put(key, out -> out.write(1));
            }
            int before = DRIVE.fake().requests(DriveEndpoint.LIST);
            assertThat(keys(repository.list("a/1/"))).containsExactly("a/1/x");
            assertThat(DRIVE.fake().requests(DriveEndpoint.LIST) - before).isEqualTo(2);

            before = DRIVE.fake().requests(DriveEndpoint.LIST);
            assertThat(keys(repository.list("a/"))).containsExactly("a/1/x", "a/2/y");
            assertThat(DRIVE.fake().requests(DriveEndpoint.LIST) - before)
                    .as("the matching subfolders are read in one query").isEqualTo(2);

            before = DRIVE.fake().requests(DriveEndpoint.LIST);
            assertThat(repository.list("c/")).isEmpty();
            assertThat(DRIVE.fake().requests(DriveEndpoint.LIST) - before).isEqualTo(1);
            assertThat(keys(repository.list("t"))).containsExactly("top");
        }
    }

    @Test
    @DisplayName("a repository written in the flat layout (whole keys as names in the repository folder) still reads, "
            + "lists, is replaced and deleted")
    void flatLayoutStillWorks() throws IOException {
        String folder = DriveFixture.uniqueFolder("layout");
        try (GoogleDriveRepository repository = repository(folder)) {
            Drive drive = new DriveClients(repository.config()).drive;
            byte[] z = new GeneratedContent(1000, 1).bytes();
            byte[] w = new GeneratedContent(2000, 2).bytes();
            writeFlat(drive, repository.folderId(), "x/y/z", z);
            writeFlat(drive, repository.folderId(), "x/y/w", w);
            writeFlat(drive, repository.folderId(), "top", new byte[] {3});

            assertThat(read(repository, "x/y/z")).isEqualTo(z);
            assertThat(repository.stat("x/y/w")).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(2000));
            assertThat(keys(repository.list("x/"))).containsExactly("x/y/w", "x/y/z");
            assertThat(keys(repository.list(""))).containsExactly("top", "x/y/w", "x/y/z");

            byte[] replaced = new GeneratedContent(500, 3).bytes();
            repository.put("x/y/z", out -> out.write(replaced));
            assertThat(read(repository, "x/y/z")).isEqualTo(replaced);
            repository.delete("x/y/w");
            assertThat(repository.stat("x/y/w")).isEmpty();
            assertThat(keys(repository.list(""))).containsExactly("top", "x/y/z");
            assertThat(live(repository.folderId())).extracting(DriveFile::name)
                    .as("the flat files of the replaced and the deleted key are gone").doesNotContain("x/y/z", "x/y/w");
        }
    }

    @Test
    @DisplayName("two writers that each created a subfolder for one parent path: readers see the files of both, "
            + "writers use the oldest")
    void duplicateSubfolders() throws IOException {
        String folder = DriveFixture.uniqueFolder("layout");
        try (GoogleDriveRepository first = repository(folder)) {
            first.put("d/1", out -> out.write(1));
            String oldest = live(first.folderId()).stream().filter(DriveFile::isFolder).findFirst().orElseThrow().id();
            // another writer's subfolder for "d", created when it could not yet see ours, with an object in it
            Drive drive = new DriveClients(first.config()).drive;
            File twin = drive.files().create(new File().setName("d").setParents(List.of(first.folderId()))
                    .setMimeType(DriveFiles.FOLDER_MIME_TYPE).setAppProperties(Map.of("pgvaultDir", "true")))
                    .execute();
            writeFlat(drive, twin.getId(), "2", new byte[] {2});

            try (GoogleDriveRepository second = repository(folder)) {
                assertThat(keys(second.list("d/"))).containsExactly("d/1", "d/2");
                assertThat(read(second, "d/2")).containsExactly(2);
                second.put("d/3", out -> out.write(3));
                assertThat(live(oldest)).extracting(DriveFile::name).containsExactlyInAnyOrder("1", "3");
                second.delete("d/2");
                assertThat(second.stat("d/2")).isEmpty();
                assertThat(keys(first.list(""))).containsExactly("d/1", "d/3");
            }
        }
    }

    @Test
    @DisplayName("a twin subfolder created by another writer after this process cached the parent path: a delete "
            + "removes the key's files in it too, before any listing")
    void twinSubfolderDeleteThroughWarmCache() throws IOException {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("layout"))) {
            repository.put("d/1", out -> out.write(1));
            Drive drive = new DriveClients(repository.config()).drive;
            String twin = twin(drive, repository.folderId());
            writeFlat(drive, twin, "3", new byte[] {30});
            repository.put("d/3", out -> out.write(3));

            repository.delete("d/3");
            assertThat(repository.stat("d/3")).as("the twin's older file is gone too").isEmpty();
            assertThat(keys(repository.list("d/"))).containsExactly("d/1");
        }
    }

    @Test
    @DisplayName("a twin subfolder created by another writer after this process cached the parent path: a read that "
            + "finds nothing looks for subfolders again, before any listing")
    void twinSubfolderReadThroughWarmCache() throws IOException {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("layout"))) {
            repository.put("d/1", out -> out.write(1));
            Drive drive = new DriveClients(repository.config()).drive;
            writeFlat(drive, twin(drive, repository.folderId()), "2", new byte[] {2});

            assertThat(read(repository, "d/2")).containsExactly(2);
            assertThat(repository.stat("d/1")).isPresent();
        }
    }

    @Test
    @DisplayName("a folder whose pgvaultDir marker is not 'true' is no subfolder, for listings as for lookups")
    void markerValue() throws IOException {
        try (GoogleDriveRepository repository = repository(DriveFixture.uniqueFolder("layout"))) {
            Drive drive = new DriveClients(repository.config()).drive;
            String other = drive.files().create(new File().setName("d").setParents(List.of(repository.folderId()))
                    .setMimeType(DriveFiles.FOLDER_MIME_TYPE).setAppProperties(Map.of("pgvaultDir", "false")))
                    .execute().getId();
            writeFlat(drive, other, "1", new byte[] {1});

            assertThat(repository.stat("d/1")).isEmpty();
            assertThat(repository.list("")).isEmpty();
        }
    }

    /** Another writer's subfolder for "d", made when it could not yet see this one. */
    private static String twin(Drive drive, String folderId) throws IOException {
        return drive.files().create(new File().setName("d").setParents(List.of(folderId))
                .setMimeType(DriveFiles.FOLDER_MIME_TYPE).setAppProperties(Map.of("pgvaultDir", "true")))
                .execute().getId();
    }

    @Test
    @DisplayName("deleting a key with duplicates removes the file it denotes last: a delete that fails half-way never "
            + "brings an older file back")
    void deleteWinnerLast() throws IOException {
        try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                DriveFixture.uniqueFolder("layout")).maxAttempts(2).build())) {
            repository.put("d/k", out -> out.write(1));
            String subfolder = live(repository.folderId()).stream().filter(DriveFile::isFolder).findFirst()
                    .orElseThrow().id();
            // files of the key pgvault did not commit (another tool's), listed by Drive after the one it denotes
            Drive drive = new DriveClients(repository.config()).drive;
            File older = drive.files().create(new File().setName("k").setParents(List.of(subfolder)),
                    new ByteArrayContent("application/octet-stream", new byte[] {2})).execute();
            drive.files().create(new File().setName("k").setParents(List.of(subfolder)),
                    new ByteArrayContent("application/octet-stream", new byte[] {3})).execute();
            assertThat(read(repository, "d/k")).containsExactly(1);

            DRIVE.fake().failNext(DriveEndpoint.DELETE, older.getId(), 10, DriveFault.serverError(500));
            try {
                assertThatThrownBy(() -> repository.delete("d/k")).isInstanceOf(GoogleDriveRepositoryException.class);
            } finally {
                DRIVE.fake().clearFaults();
            }
            assertThat(read(repository, "d/k")).as("still the object the key denoted").containsExactly(1);
            repository.delete("d/k");
            assertThat(repository.stat("d/k")).isEmpty();
        }
    }

    /** A committed object as pgvault wrote it: a file named {@code name} with its SHA-256 and a commit mark. */
    private static void writeFlat(Drive drive, String parent, String name, byte[] bytes) throws IOException {
        drive.files().create(new File().setName(name).setParents(List.of(parent)).setAppProperties(Map.of(
                        "pgvaultSha256", StreamDigest.of(bytes).sha256(), "pgvaultCommit", "00000000000000001-0")),
                new ByteArrayContent("application/octet-stream", bytes)).execute();
    }
}
