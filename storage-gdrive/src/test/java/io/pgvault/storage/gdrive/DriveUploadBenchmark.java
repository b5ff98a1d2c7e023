package io.pgvault.storage.gdrive;

import com.google.api.client.googleapis.media.MediaHttpUploader;
import com.google.api.client.http.InputStreamContent;
import com.google.api.services.drive.Drive;
import com.google.api.services.drive.model.File;
import io.pgvault.api.Secret;
import io.pgvault.testkit.gdrive.DriveV3Fake;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Random;

/**
 * Compares a streamed {@link GoogleDriveRepository#put} with the Google client's own resumable uploader
 * ({@code MediaHttpUploader}, same chunk size) for the same bytes against the Drive fake on loopback, and prints the
 * ratio. Not a test: run it with a small heap to see that memory does not grow with the object, e.g.
 * <pre>{@code
 * java -Xmx128m -cp ... io.pgvault.storage.gdrive.DriveUploadBenchmark 1073741824 8388608
 * }</pre>
 */
public final class DriveUploadBenchmark {
    private DriveUploadBenchmark() {
    }

    /**
     * @param args bytes per object (default 1 GiB), chunk size (default 8 MiB), rounds (default 3)
     * @throws IOException when an upload fails
     */
    public static void main(String[] args) throws IOException {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        int chunk = args.length > 1 ? Integer.parseInt(args[1]) : GoogleDriveRepositoryConfig.DEFAULT_CHUNK_SIZE;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (DriveV3Fake fake = DriveV3Fake.start()) {
            fake.registerOAuthClient("bench", "secret", "refresh");
            GoogleDriveRepositoryConfig config = GoogleDriveRepositoryConfig.builder(((DriveCredentials.OAuth)
                            DriveCredentials.oauth("bench", Secret.of("secret"), Secret.of("refresh")))
                            .withTokenUri(fake.tokenUri()))
                    .rootUrl(URI.create(fake.rootUrl())).folder("bench").chunkSize(chunk).build();
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(config)) {
                Drive drive = new DriveClients(config).drive;
                double ours = 0;
                double theirs = 0;
                for (int round = 0; round <= rounds; round++) {
                    long start = System.nanoTime();
                    repository.put("object", out -> {
                        for (long left = size; left > 0; left -= block.length) {
                            out.write(block, 0, (int) Math.min(block.length, left));
                        }
                    });
                    double putSeconds = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    Drive.Files.Create create = drive.files().create(new File().setName("baseline")
                            .setParents(List.of(repository.folderId())), new InputStreamContent(
                            "application/octet-stream", new BlockStream(block, size)));
                    MediaHttpUploader uploader = create.getMediaHttpUploader();
                    uploader.setDirectUploadEnabled(false);
                    uploader.setChunkSize(chunk);
                    File baseline = create.setFields("id").execute();
                    double baselineSeconds = (System.nanoTime() - start) / 1e9;
                    repository.delete("object");
                    drive.files().delete(baseline.getId()).execute();
                    String label = round == 0 ? "warm-up" : "round " + round;
                    System.out.printf("%s: put %.2f s, MediaHttpUploader %.2f s, ratio (baseline/put) %.2f%n",
                            label, putSeconds, baselineSeconds, baselineSeconds / putSeconds);
                    if (round > 0) {
                        ours += putSeconds;
                        theirs += baselineSeconds;
                    }
                }
                System.out.printf("%d bytes, %d-byte chunks, max heap %d MiB: put %.0f MiB/s, throughput ratio "
                                + "put/MediaHttpUploader %.2f%n", size, chunk, Runtime.getRuntime().maxMemory() >> 20,
                        size * rounds / ours / (1 << 20), theirs / ours);
            }
        }
    }

    /** {@code size} bytes: {@code block} repeated. */
    private static final class BlockStream extends InputStream {
        private final byte[] block;
        private long left;
        private int position;

        BlockStream(byte[] block, long size) {
            this.block = block;
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(length, left), block.length - position);
            System.arraycopy(block, position, bytes, offset, n);
            position = (position + n) % block.length;
            left -= n;
            return n;
        }
    }
}
