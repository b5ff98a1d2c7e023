package io.pgvault.storage.gdrive;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.services.drive.Drive;
import com.google.api.services.drive.model.File;
import com.google.api.services.drive.model.FileList;
import io.pgvault.testkit.gdrive.DriveRole;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real Google Drive client against the fake, beyond what the repository uses. */
@DisplayName("DriveV3Fake serves the real Drive v3 client")
class DriveV3FakeClientTest {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    private static Drive drive;

    @BeforeAll
    static void client() {
        drive = new DriveClients(DRIVE.config("client").build()).drive;
    }

    @Test
    @DisplayName("multipart upload (gzip-encoded multipart/related) stores the bytes and reports size and md5 as int64 strings")
    void multipartUpload() throws IOException {
        byte[] bytes = "hello drive".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Drive.Files.Create create = drive.files().create(new File().setName("m.txt")
                .setAppProperties(Map.of("k", "v")), new ByteArrayContent("text/plain", bytes));
        create.getMediaHttpUploader().setDirectUploadEnabled(true);
        File file = create.setFields("id,name,size,md5Checksum,mimeType,appProperties").execute();
        assertThat(file.getSize()).isEqualTo(bytes.length);
        assertThat(file.getMd5Checksum()).isEqualTo(md5(bytes));
        assertThat(file.getMimeType()).isEqualTo("text/plain");
        assertThat(file.getAppProperties()).containsEntry("k", "v");
        assertThat(drive.files().get(file.getId()).executeMediaAsInputStream().readAllBytes()).isEqualTo(bytes);
    }

    @Test
    @DisplayName("a files.list whose URL passes 2,048 characters (the client POSTs it with X-HTTP-Method-Override and a "
            + "form body) is answered by its q and fields")
    void longListing() throws IOException {
        List<String> parents = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            parents.add(DRIVE.fake().createFolder("root", "long-" + i));
        }
        drive.files().create(new File().setName("in-the-last").setParents(List.of(parents.get(44)))).execute();
        String q = "(" + String.join(" or ", parents.stream().map(p -> "'" + p + "' in parents").toList())
                + ") and trashed = false";
        assertThat(q.length()).isGreaterThan(2048);
        FileList answer = drive.files().list().setQ(q).setFields("files(id,name,parents)").execute();
        assertThat(answer.getFiles()).singleElement().satisfies(f -> {
            assertThat(f.getName()).isEqualTo("in-the-last");
            assertThat(f.getParents()).containsExactly(parents.get(44));
        });
    }

    @Test
    @DisplayName("files.list pages with pageToken, honours fields, and understands and/or/not and appProperties has")
    void listing() throws IOException {
        String folder = DRIVE.fake().createFolder("root", "listing");
        for (int i = 0; i < 5; i++) {
            drive.files().create(new File().setName("f" + i).setParents(List.of(folder))
                    .setAppProperties(Map.of("even", Boolean.toString(i % 2 == 0)))).execute();
        }
        List<String> names = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            FileList page = drive.files().list().setQ("'" + folder + "' in parents and trashed = false")
                    .setPageSize(2).setPageToken(token).setFields("nextPageToken,files(name)").execute();
            page.getFiles().forEach(f -> {
                assertThat(f.getId()).isNull(); // not among the fields asked for
                names.add(f.getName());
            });
            token = page.getNextPageToken();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("f0", "f1", "f2", "f3", "f4");
        FileList even = drive.files().list().setQ("'" + folder + "' in parents and appProperties has "
                + "{ key='even' and value='true' } and not (name = 'f0' or name = 'f4')").execute();
        assertThat(even.getFiles()).extracting(File::getName).containsExactly("f2");
    }

    @Test
    @DisplayName("an unsupported query is a 400 with Drive's error JSON; deleting a folder deletes its contents")
    void errorsAndFolderDelete() throws IOException {
        assertThatThrownBy(() -> drive.files().list().setQ("modifiedTime > '2020-01-01'").execute())
                .isInstanceOfSatisfying(com.google.api.client.googleapis.json.GoogleJsonResponseException.class,
                        e -> {
                            assertThat(e.getStatusCode()).isEqualTo(400);
                            assertThat(e.getDetails().getErrors().get(0).getReason()).isEqualTo("invalid");
                        });
        String folder = DRIVE.fake().createFolder("root", "doomed");
        File inside = drive.files().create(new File().setName("x").setParents(List.of(folder))).execute();
        drive.files().delete(folder).execute();
        assertThat(DRIVE.fake().file(inside.getId())).isEmpty();
        assertThat(DRIVE.fake().file(folder)).isEmpty();
    }

    @Test
    @DisplayName("on a shared drive a content manager (fileOrganizer) is refused files.delete with 403 "
            + "insufficientFilePermissions but may trash; a manager (organizer) may delete")
    void sharedDriveRoles() throws IOException {
        String sharedDrive = DRIVE.fake().createSharedDrive("Roles");
        File file = drive.files().create(new File().setName("f").setParents(List.of(sharedDrive)))
                .setSupportsAllDrives(true).execute();
        DRIVE.fake().grantRole(sharedDrive, DriveFixture.CLIENT_ID, DriveRole.FILE_ORGANIZER);
        assertThatThrownBy(() -> drive.files().delete(file.getId()).setSupportsAllDrives(true).execute())
                .isInstanceOfSatisfying(GoogleJsonResponseException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(403);
                    assertThat(e.getDetails().getErrors().get(0).getReason()).isEqualTo("insufficientFilePermissions");
                });
        drive.files().update(file.getId(), new File().setTrashed(true)).setSupportsAllDrives(true).execute();
        assertThat(DRIVE.fake().file(file.getId()).orElseThrow().trashed()).isTrue();

        DRIVE.fake().grantRole(sharedDrive, DriveFixture.CLIENT_ID, DriveRole.WRITER);
        File second = drive.files().create(new File().setName("g").setParents(List.of(sharedDrive)))
                .setSupportsAllDrives(true).execute();
        assertThatThrownBy(() -> drive.files().update(second.getId(), new File().setTrashed(true))
                .setSupportsAllDrives(true).execute()).isInstanceOf(GoogleJsonResponseException.class)
                .hasMessageContaining("insufficientFilePermissions");

        DRIVE.fake().grantRole(sharedDrive, DriveFixture.CLIENT_ID, DriveRole.ORGANIZER);
        drive.files().delete(second.getId()).setSupportsAllDrives(true).execute();
        assertThat(DRIVE.fake().file(second.getId())).isEmpty();
    }

    @Test
    @DisplayName("the daily upload limit answers 403 userRateLimitExceeded 'User rate limit exceeded.', as Drive does")
    void dailyUploadLimit() {
        DRIVE.fake().dailyUploadLimit(10);
        try {
            assertThatThrownBy(() -> drive.files().create(new File().setName("big"),
                    new ByteArrayContent("application/octet-stream", new byte[100])).execute())
                    .isInstanceOfSatisfying(GoogleJsonResponseException.class, e -> {
                        assertThat(e.getStatusCode()).isEqualTo(403);
                        assertThat(e.getDetails().getErrors().get(0).getReason()).isEqualTo("userRateLimitExceeded");
                        assertThat(e.getDetails().getMessage()).isEqualTo("User rate limit exceeded.");
                    });
        } finally {
            DRIVE.fake().dailyUploadLimit(Long.MAX_VALUE);
        }
    }

    @Test
    @DisplayName("a folder holding its most items refuses another with 403 numChildrenInNonRootLimitExceeded")
    void folderItemLimit() throws IOException {
        String folder = DRIVE.fake().createFolder("root", "full");
        DRIVE.fake().folderItemLimit(2);
        try {
            drive.files().create(new File().setName("1").setParents(List.of(folder))).execute();
            drive.files().create(new File().setName("2").setParents(List.of(folder))).execute();
            assertThatThrownBy(() -> drive.files().create(new File().setName("3").setParents(List.of(folder)))
                    .execute()).isInstanceOf(GoogleJsonResponseException.class)
                    .hasMessageContaining("numChildrenInNonRootLimitExceeded");
        } finally {
            DRIVE.fake().folderItemLimit(Integer.MAX_VALUE);
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
