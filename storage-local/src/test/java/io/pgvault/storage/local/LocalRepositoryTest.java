package io.pgvault.storage.local;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.InvalidKeyException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.testkit.GeneratedContent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.abort;

class LocalRepositoryTest {
    @TempDir
    Path directory;

    private Path root() {
        return directory.resolve("repository");
    }

    private LocalRepository repository() {
        return LocalRepository.at(root());
    }

    private static ObjectInfo put(LocalRepository repository, String key, byte[] content) {
        return repository.put(key, out -> out.write(content));
    }

    private static byte[] read(LocalRepository repository, String key) throws IOException {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        }
    }

    /** Every file and directory below {@code root}, as relative paths. */
    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(path -> !path.equals(root)).map(path -> root.relativize(path).toString()).sorted()
                    .toList();
        }
    }

    private static Path leftover(Path file, Duration age) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "leftover");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }

    @Nested
    @DisplayName("temporary files")
    class TemporaryFileTests {
        @Test
        @DisplayName("a put in progress writes a hidden temporary file that list, stat and open do not see")
        void temporaryFileInvisible() throws Exception {
            LocalRepository repository = repository();
            CompletableFuture<Void> written = new CompletableFuture<>();
            CompletableFuture<Void> resume = new CompletableFuture<>();
            CompletableFuture<ObjectInfo> put = CompletableFuture.supplyAsync(() -> repository.put("a/b", out -> {
                out.write(new byte[100_000]);
                written.complete(null);
                resume.join();
            }));
            written.get(1, TimeUnit.MINUTES);
            assertThat(tree(root())).satisfiesExactly(
                    dir -> assertThat(dir).isEqualTo("a"),
                    temp -> assertThat(temp).startsWith("a/" + TemporaryFiles.PREFIX));
            assertThat(repository.list("")).isEmpty();
            assertThat(repository.stat("a/b")).isEmpty();
            resume.complete(null);
            assertThat(put.get(1, TimeUnit.MINUTES).size()).isEqualTo(100_000);
            assertThat(tree(root())).containsExactly("a", "a/b");
        }

        @Test
        @DisplayName("a failed put removes its temporary file and the folders it created")
        void failedPutLeavesNoFiles() throws IOException {
            LocalRepository repository = repository();
            assertThatThrownBy(() -> repository.put("x/y/z", out -> {
                out.write(new byte[200_000]);
                throw new IOException("producer broke");
            })).isInstanceOf(RepositoryException.class)
                    .hasMessageContaining("'x/y/z'").hasMessageContaining(repository.id())
                    .hasMessageContaining("nothing was stored").hasMessageContaining("producer broke");
            assertThat(tree(root())).isEmpty();
        }

        @Test
        @DisplayName("opening a repository deletes crash leftovers older than the configured age, and only those")
        void leftoversCleanedOnOpen() throws IOException {
            Path oldTemp = leftover(root().resolve("a/.pgvault-tmp-123"), Duration.ofDays(2));
            Path oldRootTemp = leftover(root().resolve(".pgvault-tmp-456"), Duration.ofDays(2));
            Path orphanSidecar = leftover(root().resolve("a/.pgvault-sha256.gone"), Duration.ofDays(2));
            Path freshTemp = leftover(root().resolve("a/.pgvault-tmp-789"), Duration.ZERO);
            Path object = leftover(root().resolve("a/kept"), Duration.ofDays(2));
            Path sidecar = leftover(root().resolve("a/.pgvault-sha256.kept"), Duration.ofDays(2));
            Path foreign = leftover(root().resolve("a/.operator-notes"), Duration.ofDays(2));
            repository();
            assertThat(oldTemp).doesNotExist();
            assertThat(oldRootTemp).doesNotExist();
            assertThat(orphanSidecar).doesNotExist();
            assertThat(List.of(freshTemp, object, sidecar, foreign)).allSatisfy(path -> assertThat(path).exists());
        }

        @Test
        @DisplayName("deleteStaleTemporaryFiles removes leftovers of any age on demand and counts them")
        void leftoversCleanedOnDemand() throws IOException {
            LocalRepository repository = repository();
            leftover(root().resolve("a/b/.pgvault-tmp-1"), Duration.ZERO);
            leftover(root().resolve(".pgvault-tmp-2"), Duration.ofMinutes(5));
            assertThat(repository.deleteStaleTemporaryFiles(Duration.ofHours(1))).isZero();
            assertThat(repository.deleteStaleTemporaryFiles(Duration.ZERO)).isEqualTo(2);
            assertThat(tree(root())).containsExactly("a", "a/b");
        }

        @Test
        @DisplayName("cleanUpOnStart(false) leaves leftovers alone")
        void cleanUpOnStartDisabled() throws IOException {
            Path oldTemp = leftover(root().resolve(".pgvault-tmp-1"), Duration.ofDays(2));
            LocalRepository.of(LocalRepositoryConfig.builder(root()).cleanUpOnStart(false).build());
            assertThat(oldTemp).exists();
        }
    }

    @Nested
    @DisplayName("symbolic links")
    class SymbolicLinks {
        @Test
        @DisplayName("a key leading out of the root through a linked folder is refused, and nothing outside changes")
        void linkedFolderEscape() throws IOException {
            Path outside = Files.createDirectories(directory.resolve("outside"));
            Files.writeString(outside.resolve("secret"), "outside");
            LocalRepository repository = repository();
            Files.createSymbolicLink(root().resolve("escape"), outside);
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.open("escape/secret"))
                    .withMessageContaining("escape/secret").withMessageContaining("symbolic link");
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.stat("escape/secret"));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.delete("escape/secret"));
            assertThatExceptionOfType(InvalidKeyException.class)
                    .isThrownBy(() -> put(repository, "escape/new/file", new byte[1]));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.list("escape/"));
            assertThat(tree(outside)).containsExactly("secret");
            assertThat(repository.list("")).isEmpty();
        }

        @Test
        @DisplayName("a key that is a link to a file outside the root is refused")
        void linkedFileEscape() throws IOException {
            Path secret = Files.writeString(directory.resolve("secret"), "outside");
            LocalRepository repository = repository();
            Files.createSymbolicLink(root().resolve("leak"), secret);
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.open("leak"));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.stat("leak"));
            Files.createSymbolicLink(root().resolve("dangling"), directory.resolve("nowhere"));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.open("dangling"));
            assertThat(repository.list("")).isEmpty();
        }

        @Test
        @DisplayName("a link that stays inside the root is followed by open and stat")
        void linkInsideRoot() throws IOException {
            LocalRepository repository = repository();
            put(repository, "real/object", "inside".getBytes(StandardCharsets.US_ASCII));
            Files.createSymbolicLink(root().resolve("alias"), root().resolve("real"));
            assertThat(read(repository, "alias/object")).asString(StandardCharsets.US_ASCII).isEqualTo("inside");
            assertThat(repository.stat("alias/object")).isPresent();
            assertThat(repository.list("")).extracting(ObjectInfo::key).containsExactly("real/object");
        }
    }

    @Nested
    @DisplayName("permissions")
    class PermissionTests {
        @Test
        @DisplayName("objects are 0600 and the directories the repository creates 0700 by default")
        void defaults() throws IOException {
            LocalRepository repository = repository();
            put(repository, "a/b/c", new byte[10]);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root().resolve("a/b/c"))))
                    .isEqualTo("rw-------");
            for (Path folder : List.of(root(), root().resolve("a"), root().resolve("a/b"))) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).as(folder.toString())
                        .isEqualTo("rwx------");
            }
        }

        @Test
        @DisplayName("configured permissions are applied to objects, sidecars and new directories")
        void configured() throws IOException {
            LocalRepository repository = LocalRepository.of(LocalRepositoryConfig.builder(root())
                    .filePermissions(PosixFilePermissions.fromString("rw-r-----"))
                    .directoryPermissions(PosixFilePermissions.fromString("rwxr-x---"))
                    .checksumStorage(ChecksumStorage.SIDECAR_FILE)
                    .build());
            put(repository, "a/b", new byte[10]);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root().resolve("a/b"))))
                    .isEqualTo("rw-r-----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    root().resolve("a/" + Checksums.SIDECAR_PREFIX + "b")))).isEqualTo("rw-r-----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root().resolve("a"))))
                    .isEqualTo("rwxr-x---");
        }
    }

    @Nested
    @DisplayName("checksums")
    class ChecksumTests {
        private final byte[] content = "hello".getBytes(StandardCharsets.US_ASCII);
        private final String sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

        @Test
        @DisplayName("by default the SHA-256 is an extended attribute of the object's file, with no sidecar")
        void extendedAttribute() throws IOException {
            LocalRepository repository = repository();
            put(repository, "k", content);
            UserDefinedFileAttributeView view =
                    Files.getFileAttributeView(root().resolve("k"), UserDefinedFileAttributeView.class);
            ByteBuffer value = ByteBuffer.allocate(128);
            view.read(Checksums.ATTRIBUTE, value);
            assertThat(StandardCharsets.US_ASCII.decode(value.flip()).toString()).isEqualTo(sha256 + " 5 "
                    + Files.getLastModifiedTime(root().resolve("k")).toInstant());
            assertThat(tree(root())).containsExactly("k");
            assertThat(repository.stat("k").orElseThrow().sha256()).contains(sha256);
        }

        @Test
        @DisplayName("in sidecar mode a hidden sidecar holds the SHA-256, is never listed and goes with delete")
        void sidecar() throws IOException {
            LocalRepository repository = LocalRepository.of(
                    LocalRepositoryConfig.builder(root()).checksumStorage(ChecksumStorage.SIDECAR_FILE).build());
            put(repository, "d/k", content);
            assertThat(tree(root())).containsExactly("d", "d/" + Checksums.SIDECAR_PREFIX + "k", "d/k");
            assertThat(repository.list("")).singleElement().satisfies(info -> {
                assertThat(info.key()).isEqualTo("d/k");
                assertThat(info.sha256()).contains(sha256);
            });
            repository.delete("d/k");
            assertThat(tree(root())).isEmpty();
        }

        @Test
        @DisplayName("a digest no longer matching the file is not reported: changed bytes report none")
        void staleDigestIgnored() throws IOException {
            for (ChecksumStorage storage : List.of(ChecksumStorage.SIDECAR_FILE, ChecksumStorage.EXTENDED_ATTRIBUTE)) {
                LocalRepository repository = LocalRepository.of(
                        LocalRepositoryConfig.builder(root().resolve(storage.name())).checksumStorage(storage).build());
                put(repository, "k", content);
                Files.writeString(root().resolve(storage.name()).resolve("k"), "!", StandardOpenOption.APPEND);
                assertThat(repository.stat("k").orElseThrow().sha256()).as(storage.name()).isEmpty();
            }
        }

        @Test
        @DisplayName("bytes of the same size rewritten in place (the attribute stays on the inode) report no digest")
        void inPlaceRewriteIgnored() throws IOException {
            LocalRepository repository = repository();
            put(repository, "k", content);
            Path file = root().resolve("k");
            java.nio.file.attribute.FileTime recorded = Files.getLastModifiedTime(file);
            Files.write(file, "jello".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); // what cp or an editor does: same inode, same size
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(recorded.toInstant()
                    .plusSeconds(1))); // the rewrite happens later (within one timer tick here, so say it)
            assertThat(repository.stat("k").orElseThrow().sha256()).isEmpty();
            assertThat(repository.stat("k").orElseThrow().size()).isEqualTo(5);
        }

        @Test
        @DisplayName("an attribute written before 0.3.0 (digest and size only) is not trusted")
        void oldAttributeIgnored() throws IOException {
            LocalRepository repository = repository();
            put(repository, "k", content);
            UserDefinedFileAttributeView view =
                    Files.getFileAttributeView(root().resolve("k"), UserDefinedFileAttributeView.class);
            view.write(Checksums.ATTRIBUTE, StandardCharsets.US_ASCII.encode(sha256 + " 5"));
            assertThat(repository.stat("k").orElseThrow().sha256()).isEmpty();
        }

        @Test
        @DisplayName("a sidecar written for other bytes of the same size is not reported")
        void foreignSidecarIgnored() throws IOException {
            LocalRepository repository = LocalRepository.of(
                    LocalRepositoryConfig.builder(root()).checksumStorage(ChecksumStorage.SIDECAR_FILE).build());
            put(repository, "k", content);
            Path file = root().resolve("k");
            Path copy = Files.copy(file, root().resolve("copy"));
            Files.setLastModifiedTime(copy, Files.getLastModifiedTime(file));
            Files.move(copy, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(repository.stat("k").orElseThrow().sha256()).isEmpty();
        }
    }

    @Nested
    @DisplayName("a full disk")
    class FullDisk {
        @Test
        @DisplayName("fails the put with a clear RepositoryException, leaves nothing visible and the old object intact")
        void fullDisk() throws Exception {
            Path mountPoint = Files.createDirectories(directory.resolve("tmpfs"));
            mount(mountPoint);
            try {
                LocalRepository repository = LocalRepository.at(mountPoint.resolve("repository"));
                byte[] previous = new GeneratedContent(10_000, 1).bytes();
                put(repository, "db/dump", previous);
                assertThatThrownBy(() -> repository.put("db/dump", out -> new GeneratedContent(4 << 20, 2).writeTo(out)))
                        .isInstanceOf(RepositoryException.class)
                        .hasMessageContaining("'db/dump'").hasMessageContaining(repository.id())
                        .hasMessageContaining("file system is full").hasMessageContaining("nothing was stored");
                assertThat(tree(mountPoint.resolve("repository"))).containsExactly("db", "db/dump");
                assertThat(read(repository, "db/dump")).isEqualTo(previous);
                assertThat(repository.list("")).extracting(ObjectInfo::key).containsExactly("db/dump");
            } finally {
                run("umount", mountPoint.toString());
            }
        }

        private void mount(Path mountPoint) throws Exception {
            String output = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "pgvault-test", mountPoint.toString());
            if (!output.isEmpty()) {
                abort("cannot mount a 1 MiB tmpfs to fill (needs root or CAP_SYS_ADMIN): " + output);
            }
        }

        /** @return the output of a failed command, empty on success */
        private String run(String... command) throws Exception {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                return e.toString();
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            return process.exitValue() == 0 ? "" : String.join(" ", command) + ": " + output.strip();
        }
    }

    @Nested
    @DisplayName("layout")
    class Layout {
        @Test
        @DisplayName("id() is 'local:' and the absolute root; toString() shows it")
        void identity() {
            LocalRepository repository = repository();
            assertThat(repository.id()).isEqualTo("local:" + root().toAbsolutePath());
            assertThat(repository.toString()).contains(repository.id());
        }

        @Test
        @DisplayName("delete removes the folders it empties, but never the root")
        void deletePrunesFolders() throws IOException {
            LocalRepository repository = repository();
            put(repository, "a/b/c", new byte[1]);
            put(repository, "a/d", new byte[1]);
            repository.delete("a/b/c");
            assertThat(tree(root())).containsExactly("a", "a/d");
            repository.delete("a/d");
            assertThat(root()).isEmptyDirectory();
        }

        @Test
        @DisplayName("a key cannot be stored under an object, nor over a folder of keys, and the error says why")
        void keyAndKeysUnderIt() {
            LocalRepository repository = repository();
            put(repository, "a", new byte[1]);
            put(repository, "x/y", new byte[1]);
            assertThatThrownBy(() -> put(repository, "a/b", new byte[1])).isInstanceOf(RepositoryException.class)
                    .hasMessageContaining("'a/b'").hasMessageContaining("'a' is an object");
            assertThatThrownBy(() -> put(repository, "x", new byte[1])).isInstanceOf(RepositoryException.class)
                    .hasMessageContaining("keys under 'x/' exist");
            assertThat(repository.list("")).extracting(ObjectInfo::key).containsExactly("a", "x/y");
        }

        @Test
        @DisplayName("files whose names are no valid key are not listed")
        void foreignFilesNotListed() throws IOException {
            LocalRepository repository = repository();
            Files.writeString(root().resolve("has space"), "x");
            Files.writeString(root().resolve(".hidden"), "x");
            put(repository, "ok", new byte[1]);
            assertThat(repository.list("")).extracting(ObjectInfo::key).containsExactly("ok");
        }

        @Test
        @DisplayName("a producer closing the stream does no harm, and the stream refuses writes after put returns")
        void streamLifecycle() {
            LocalRepository repository = repository();
            AtomicReference<OutputStream> leaked = new AtomicReference<>();
            repository.put("k", out -> {
                out.write(1);
                out.close();
                out.write(2);
                leaked.set(out);
            });
            assertThat(repository.stat("k").orElseThrow().size()).isEqualTo(2);
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> leaked.get().write(3));
        }
    }

    @Nested
    @DisplayName("configuration")
    class Configuration {
        @Test
        @DisplayName("build() reports every invalid setting at once")
        void everyProblem() {
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> LocalRepositoryConfig.builder(null)
                            .filePermissions(PosixFilePermissions.fromString("r--------"))
                            .directoryPermissions(null)
                            .checksumStorage(null)
                            .staleTemporaryFileAge(Duration.ofSeconds(-1))
                            .build())
                    .satisfies(e -> assertThat(e.problems()).hasSize(5));
        }

        @Test
        @DisplayName("a missing root is refused when createRoot is off, and a file is refused as root")
        void badRoot() throws IOException {
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> LocalRepository.of(
                    LocalRepositoryConfig.builder(root()).createRoot(false).build())).withMessageContaining("exist");
            Path file = Files.writeString(directory.resolve("file"), "x");
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> LocalRepository.at(file))
                    .withMessageContaining("not a directory");
        }

        @Test
        @DisplayName("toBuilder() round-trips every setting")
        void toBuilder() {
            LocalRepositoryConfig config = LocalRepositoryConfig.builder(root())
                    .checksumStorage(ChecksumStorage.SIDECAR_FILE).cleanUpOnStart(false)
                    .staleTemporaryFileAge(Duration.ofHours(3)).createRoot(false).build();
            assertThat(config.toBuilder().build()).isEqualTo(config);
        }
    }
}
