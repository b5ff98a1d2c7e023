package io.pgvault.storage.s3;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Upload memory accounting of {@link StreamingUpload} against an in-memory S3 stub (no server). */
@DisplayName("StreamingUpload upload memory")
class UploadMemoryTest {
    private static final int PART = S3RepositoryConfig.MIN_PART_SIZE;

    /** An S3 client whose part uploads take {@code partMillis}; everything else answers at once. */
    private static S3Client stub(long partMillis, AtomicInteger partsUploaded) {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "createMultipartUpload" -> CreateMultipartUploadResponse.builder().uploadId("u").build();
                    case "uploadPart" -> {
                        Thread.sleep(partMillis);
                        partsUploaded.incrementAndGet();
                        yield UploadPartResponse.builder().eTag("e").build();
                    }
                    case "completeMultipartUpload" -> CompleteMultipartUploadResponse.builder().build();
                    case "abortMultipartUpload" -> AbortMultipartUploadResponse.builder().build();
                    case "putObject" -> PutObjectResponse.builder().build();
                    case "close" -> null;
                    case "toString" -> "stub S3";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static StreamingUpload.ObjectTarget target() {
        return new StreamingUpload.ObjectTarget("bucket", "k", Map.of(), r -> { }, r -> { }, r -> { });
    }

    /** Writes {@code size} bytes and completes, in a daemon thread; fails if that takes longer than the limit. */
    private static long storeWithin(S3RepositoryConfig config, long size, long partMillis, long limitMillis)
            throws Exception {
        AtomicInteger partsUploaded = new AtomicInteger();
        S3Client s3 = stub(partMillis, partsUploaded);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        Thread producer = new Thread(() -> {
            try (StreamingUpload upload = new StreamingUpload(s3, config, target(), executor)) {
                byte[] chunk = new byte[64 * 1024];
                for (long left = size; left > 0; left -= chunk.length) {
                    upload.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
                upload.complete();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "producer");
        producer.setDaemon(true); // a producer stuck in acquireUninterruptibly cannot be stopped
        producer.start();
        producer.join(limitMillis);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        executor.shutdownNow();
        assertThat(producer.isAlive()).as("the put still runs after %d ms (%d parts uploaded)", limitMillis,
                partsUploaded.get()).isFalse();
        assertThat(failure.get()).isNull();
        return elapsed;
    }

    @Test
    @DisplayName("a part size that is not a whole number of KiB, with uploadMemory = partSize (partsInFlight 1), "
            + "does not hang the put")
    void partSizeNotKiBAligned() throws Exception {
        S3RepositoryConfig config = S3RepositoryConfig.builder("bucket").partSize(6_000_000).partsInFlight(1).build();
        assertThat(config.uploadMemory()).isEqualTo(6_000_000L);
        storeWithin(config, 3L * 6_000_000 + 5, 1, 10_000);
    }

    @Test
    @DisplayName("a producer waiting for upload memory resumes as soon as a part finishes, not on a 100 ms tick")
    void memoryWaitWakesWhenAPartFinishes() throws Exception {
        int parts = 20;
        long size = (long) parts * PART + 1;
        // control: memory for every buffer partsInFlight allows, so only the (signalled) count can make it wait
        S3RepositoryConfig roomy = S3RepositoryConfig.builder("bucket").partSize(PART).partsInFlight(4)
                .uploadMemory(8L * PART).build();
        long control = storeWithin(roomy, size, 2, 30_000);
        // room for one 5 MiB buffer only: every part waits for the previous one's upload (2 ms here)
        S3RepositoryConfig tight = S3RepositoryConfig.builder("bucket").partSize(PART).partsInFlight(4)
                .uploadMemory(PART + PART / 2).build();
        long elapsed = storeWithin(tight, size, 2, 30_000);
        // woken when the part finishes: about parts x 2 ms more than the control; on a 100 ms tick: ~parts x 100 ms
        assertThat(elapsed - control).as("ms more than the control (%d ms) for %d parts", control, parts)
                .isLessThan(parts * 40L);
    }

    @Test
    @DisplayName("toBuilder() keeps a derived uploadMemory derived: changing partSize or partsInFlight rederives it")
    void toBuilderRederivesDefaultUploadMemory() {
        S3RepositoryConfig defaults = S3RepositoryConfig.builder("bucket").build();
        assertThat(defaults.toBuilder().partSize(64 * 1024 * 1024).build().uploadMemory())
                .isEqualTo(4L * 64 * 1024 * 1024);
        assertThat(defaults.toBuilder().partsInFlight(8).build().uploadMemory()).isEqualTo(8L * 8 * 1024 * 1024);
        S3RepositoryConfig explicit = S3RepositoryConfig.builder("bucket").uploadMemory(100L * 1024 * 1024).build();
        assertThat(explicit.toBuilder().partsInFlight(8).build().uploadMemory()).isEqualTo(100L * 1024 * 1024);
        assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
    }
}
