package io.pgvault.internal.pipeline;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.Compression;
import io.pgvault.api.Encryption;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Keys, sample data and encode/decode shortcuts shared by the pipeline tests. */
final class PipelineFixtures {
    static final Secret PASSPHRASE = Secret.of("correct horse battery staple 7");
    static final Secret IDENTITY = AgeKeys.generateIdentity();
    /** Fast enough for tests; the default (18) is exercised once on purpose. */
    static final int TEST_WORK_FACTOR = 10;

    private PipelineFixtures() {
    }

    static Encryption passphrase() {
        return new Encryption.Passphrase(PASSPHRASE, TEST_WORK_FACTOR);
    }

    static Encryption x25519() {
        return Encryption.x25519(IDENTITY);
    }

    static List<Compression> compressions() {
        return List.of(Compression.none(), Compression.gzip(), Compression.zstd(3, 0), Compression.zstd(3, 2));
    }

    static List<Encryption> encryptions() {
        return List.of(Encryption.none(), passphrase(), x25519());
    }

    /** @return every compression × encryption */
    static List<PipelineOptions> allOptions() {
        List<PipelineOptions> all = new ArrayList<>();
        for (Compression c : compressions()) {
            for (Encryption e : encryptions()) {
                all.add(new PipelineOptions(c, e));
            }
        }
        return all;
    }

    /** Text like a plain-format dump (compressible, not trivially) with a few random binary stretches. */
    static byte[] sample(int size, long seed) {
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 256);
        long row = 0;
        while (out.size() < size) {
            if (random.nextInt(50) == 0) {
                byte[] noise = new byte[random.nextInt(4096)];
                random.nextBytes(noise);
                out.writeBytes(noise);
            } else {
                out.writeBytes((row++ + "\t" + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong())
                        + "\tcustomer-" + random.nextInt(10_000) + "\t2024-05-" + (10 + random.nextInt(20)) + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        byte[] all = out.toByteArray();
        return all.length == size ? all : java.util.Arrays.copyOf(all, size);
    }

    /** The stored bytes of one encoded object and its manifest entry. */
    record Stored(byte[] bytes, Encoded encoded, StoredObject object) {
        Stored withBytes(byte[] other) {
            return new Stored(other, encoded, object);
        }

        InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }

    static Stored encode(Pipeline pipeline, byte[] logical) {
        try {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            EncodingStream encoding = pipeline.encode(sink);
            encoding.write(logical);
            Encoded encoded = encoding.finish();
            return new Stored(sink.toByteArray(), encoded, object(pipeline, encoded));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StoredObject object(Pipeline pipeline, Encoded encoded) {
        PipelineOptions options = pipeline.options();
        return new StoredObject("app.sql", "data/20240501T000000Z/app.sql", encoded.logicalBytes(),
                encoded.storedBytes(), encoded.storedSha256(), encoded.logicalSha256(), options.compression(),
                options.encryption().scheme(), Map.of());
    }

    static byte[] decode(Pipeline pipeline, Stored stored) throws IOException {
        try (InputStream in = pipeline.decode(stored.open(), stored.object())) {
            return in.readAllBytes();
        }
    }

    static Pipeline pipeline(Compression compression, Encryption encryption) {
        return new Pipeline(new PipelineOptions(compression, encryption));
    }
}
