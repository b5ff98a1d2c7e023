package io.pgvault.storage.s3;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.s3.S3ProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.UploadFileRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Not a test: a benchmark of a streamed put into S3Proxy against the SDK's own {@code S3TransferManager.uploadFile} of
 * the same bytes from a file, in one JVM and run. Run it with a small heap to show that memory stays bounded:
 * <pre>
 * java -Xmx128m -cp TEST_CLASSPATH io.pgvault.storage.s3.S3UploadBenchmark [bytes] [rounds]
 * </pre>
 * Prints the wall time and throughput of each upload, the peak heap, and the ratio of the medians.
 *
 * <p>Seen on the 2-core build machine (2 GiB + 12,345 bytes, 16 MiB parts, 4 in flight, {@code -Xmx128m}, 2 rounds):
 * streamed 13.1 s and 12.0 s (164-180 MB/s), transfer manager 13.7 s and 12.1 s (157-178 MB/s): ratio 1.03. The peak
 * heap printed is an upper bound (sum of pool peaks) of the whole JVM, S3Proxy's server side included, so it does not
 * isolate the put's buffers; that the run fits in 128 MiB does show they stay bounded (64 MiB here, by construction).
 */
public final class S3UploadBenchmark {
    private S3UploadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 2L * 1024 * 1024 * 1024 + 12_345;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        S3ProxyServer s3 = S3ProxyServer.start();
        Path file = Files.createTempFile("pgvault-bench-", ".bin");
        try {
            try (OutputStream out = Files.newOutputStream(file)) {
                new GeneratedContent(size, 7).writeTo(out);
            }
            S3RepositoryConfig config = S3ProxyConfigs.config(s3, "bench").partSize(16 * 1024 * 1024).partsInFlight(4)
                    .build();
            double[] streamed = new double[rounds];
            double[] manager = new double[rounds];
            try (S3Repository repository = S3Repository.of(config);
                 S3AsyncClient async = S3AsyncClient.builder().multipartEnabled(true)
                         .endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                         .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                                 s3.accessKey(), s3.secretKey().reveal())))
                         .build();
                 S3TransferManager transfers = S3TransferManager.builder().s3Client(async).build()) {
                for (int round = 0; round < rounds; round++) {
                    resetPeaks();
                    long start = System.nanoTime();
                    ObjectInfo info = repository.put("streamed", out -> {
                        try (InputStream in = Files.newInputStream(file)) {
                            in.transferTo(out);
                        }
                    });
                    streamed[round] = seconds(start);
                    report("S3Repository.put (streamed)", size, streamed[round], info.size());
                    repository.delete("streamed");

                    resetPeaks();
                    start = System.nanoTime();
                    transfers.uploadFile(UploadFileRequest.builder()
                            .putObjectRequest(request -> request.bucket("bench").key("manager"))
                            .source(file).build()).completionFuture().join();
                    manager[round] = seconds(start);
                    HeadObjectResponse head = async.headObject(request -> request.bucket("bench").key("manager"))
                            .join();
                    report("S3TransferManager.uploadFile", size, manager[round], head.contentLength());
                    async.deleteObject(request -> request.bucket("bench").key("manager")).join();
                }
            }
            double ratio = median(manager) / median(streamed);
            System.out.printf(Locale.ROOT, "throughput ratio streamed/transfer manager (medians): %.2f; heap limit %d MiB;"
                    + " S3Repository buffers at most %d MiB%n", ratio, Runtime.getRuntime().maxMemory() >> 20,
                    config.maxBufferedBytes() >> 20);
        } finally {
            Files.deleteIfExists(file);
            s3.close();
        }
    }

    private static void report(String what, long size, double seconds, long stored) {
        System.out.printf(Locale.ROOT, "%-30s %,d bytes in %.1f s = %.0f MB/s, stored %,d, peak heap %d MiB%n",
                what, size, seconds, size / seconds / 1e6, stored, peakHeap() >> 20);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** An upper bound of the peak heap since the last reset: the sum of each heap pool's peak. */
    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }
}
