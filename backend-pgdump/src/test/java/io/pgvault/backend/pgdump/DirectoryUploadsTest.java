package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupId;
import io.pgvault.api.Compression;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.process.ProcessRunner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The bookkeeping of a directory dump's uploads, without pg_dump: claims, duplicates, failures, the last wait. */
class DirectoryUploadsTest {

    @Test
    @DisplayName("claimed and swept files are each sent once and deleted; the objects carry their file name")
    void sendsEachFileOnce(@TempDir Path dir) throws IOException {
        write(dir, "toc.dat", "3356.dat", "3357.dat", "blobs.toc", "blob_1.dat");
        MemoryContext ctx = new MemoryContext();
        DirectoryUploads uploads = uploads(ctx, dir);
        uploads.claimReported(List.of("3356.dat"));
        uploads.claimReported(List.of("blobs.toc", "blob_1.dat"));
        uploads.claimClosed(List.of("3357.dat"));
        uploads.claimClosed(List.of("3357.dat"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ctx.writes.get() == 4);
        uploads.sweep(names(dir));

        List<StoredObject> objects = uploads.awaitAll();
        uploads.abandon();
        assertThat(objects).extracting(o -> o.attribute("file"))
                .containsExactlyInAnyOrder("toc.dat", "3356.dat", "3357.dat", "blobs.toc", "blob_1.dat");
        assertThat(objects).allSatisfy(o -> assertThat(o.attributes()).containsEntry("database", "app"));
        assertThat(ctx.writes).hasValue(5);
        assertThat(ctx.stored).containsEntry("app.dir/3356.dat", "3356.dat");
        assertThat(uploads.claimedWhileRunning()).isEqualTo(4);
        assertThat(names(dir)).isEmpty();
    }

    @Test
    @DisplayName("a file reported finished twice fails the backup: the first report may have been a table's name")
    void duplicateReport(@TempDir Path dir) throws IOException {
        write(dir, "toc.dat", "3356.dat");
        DirectoryUploads uploads = uploads(new MemoryContext(), dir);
        uploads.claimReported(List.of("3356.dat"));
        uploads.claimReported(List.of("3356.dat"));

        assertThatThrownBy(uploads::awaitAll).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("3356.dat finished twice");
        uploads.abandon();
    }

    @Test
    @DisplayName("a report of a file that is not there is ignored, and the file is sent when it is really finished")
    void reportOfMissingFile(@TempDir Path dir) throws IOException {
        write(dir, "toc.dat");
        MemoryContext ctx = new MemoryContext();
        DirectoryUploads uploads = uploads(ctx, dir);
        uploads.claimReported(List.of("3356.dat"));
        uploads.claimReported(List.of("blobs.toc", "blob_1.dat"));
        write(dir, "3356.dat");
        uploads.claimReported(List.of("3356.dat"));
        uploads.sweep(names(dir));

        assertThat(uploads.awaitAll()).extracting(o -> o.attribute("file"))
                .containsExactlyInAnyOrder("toc.dat", "3356.dat");
        uploads.abandon();
        assertThat(uploads.ignoredReports()).isEqualTo(2);
    }

    @Test
    @DisplayName("a failed upload fails the backup with its own error; nothing more is sent")
    void uploadFails(@TempDir Path dir) throws IOException {
        write(dir, "toc.dat", "3356.dat", "3357.dat");
        MemoryContext ctx = new MemoryContext();
        ctx.failOn = "app.dir/3356.dat";
        DirectoryUploads uploads = uploads(ctx, dir);
        uploads.claimReported(List.of("3356.dat"));
        await().atMost(Duration.ofSeconds(10)).until(() -> failed(uploads));
        uploads.claimReported(List.of("3357.dat"));
        uploads.sweep(names(dir));

        assertThatThrownBy(uploads::awaitAll).isInstanceOf(RepositoryException.class).hasMessageContaining("full");
        uploads.abandon();
        assertThat(ctx.stored).isEmpty();
    }

    @Test
    @DisplayName("abandoning waits until no upload is in flight, and the one in flight gives up")
    void abandonWaits(@TempDir Path dir) throws Exception {
        write(dir, "3356.dat");
        MemoryContext ctx = new MemoryContext();
        ctx.hold = new CountDownLatch(1);
        DirectoryUploads uploads = uploads(ctx, dir);
        uploads.claimReported(List.of("3356.dat"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ctx.writes.get() == 1);

        Thread abandoning = new Thread(uploads::abandon, "abandoning");
        abandoning.start();
        // abandon() has stopped the uploads and waits for the one in flight (only then may the write go on: were
        // it released first, on a loaded machine it could finish before abandon() ran)
        await().atMost(Duration.ofSeconds(10)).until(() -> abandoning.getState() == Thread.State.WAITING);
        assertThat(abandoning.isAlive()).as("still sending").isTrue();
        ctx.hold.countDown();
        abandoning.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(abandoning.isAlive()).as("abandon returned once the write gave up").isFalse();
        assertThat(ctx.stored).isEmpty();
        assertThat(dir.resolve("3356.dat")).exists();
    }

    private static boolean failed(DirectoryUploads uploads) {
        try {
            uploads.throwIfFailed();
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static DirectoryUploads uploads(BackupContext ctx, Path dir) {
        return new DirectoryUploads(ctx, dir, "app", Map.of("database", "app", "role", "dump"), 2, 2);
    }

    private static void write(Path dir, String... names) throws IOException {
        for (String n : names) {
            Files.writeString(dir.resolve(n), n);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Keeps objects in memory; can fail one, or hold every write until released. */
    private static final class MemoryContext implements BackupContext {
        final Map<String, String> stored = new ConcurrentHashMap<>();
        final AtomicInteger writes = new AtomicInteger();
        volatile String failOn = "";
        volatile CountDownLatch hold;

        @Override
        public BackupId id() {
            return BackupId.generate(Instant.now());
        }

        @Override
        public Instant startedAt() {
            return Instant.now();
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public StoredObject writeObject(String name, Map<String, String> attributes, ObjectWriter writer) {
            writes.incrementAndGet();
            try {
                if (hold != null && !hold.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("never released");
                }
                if (name.equals(failOn)) {
                    throw new RepositoryException("disk full (simulated) writing " + name, null);
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                writer.writeTo(out);
                stored.put(name, out.toString(java.nio.charset.StandardCharsets.UTF_8));
                return new StoredObject(name, "data/x/" + name, out.size(), out.size(), "0".repeat(64),
                        "0".repeat(64), Compression.none(), "none", attributes);
            } catch (IOException e) {
                throw new RepositoryException("writing " + name + " failed: " + e, e);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public ProcessRunner processes() {
            return ProcessRunner.local();
        }

        @Override
        public Path scratchDirectory() {
            throw new UnsupportedOperationException();
        }
    }
}
