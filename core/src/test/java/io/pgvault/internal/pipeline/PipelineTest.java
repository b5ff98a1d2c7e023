package io.pgvault.internal.pipeline;

import io.pgvault.api.Compression;
import io.pgvault.api.Encryption;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static io.pgvault.internal.pipeline.PipelineFixtures.decode;
import static io.pgvault.internal.pipeline.PipelineFixtures.encode;
import static io.pgvault.internal.pipeline.PipelineFixtures.pipeline;
import static io.pgvault.internal.pipeline.PipelineFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Pipeline")
class PipelineTest {

    static List<PipelineOptions> allOptions() {
        return PipelineFixtures.allOptions();
    }

    @Nested
    @DisplayName("round trips")
    class RoundTrips {

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.internal.pipeline.PipelineTest#allOptions")
        @DisplayName("decodes what it encoded, for every compression and encryption")
        void roundTrip(PipelineOptions options) throws IOException {
            Pipeline pipeline = new Pipeline(options);
            byte[] logical = sample(700_000, 1);

            assertThat(decode(pipeline, encode(pipeline, logical))).isEqualTo(logical);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.internal.pipeline.PipelineTest#allOptions")
        @DisplayName("encodes and decodes an empty stream")
        void empty(PipelineOptions options) throws IOException {
            Pipeline pipeline = new Pipeline(options);

            PipelineFixtures.Stored stored = encode(pipeline, new byte[0]);

            assertThat(stored.encoded().logicalBytes()).isZero();
            assertThat(decode(pipeline, stored)).isEmpty();
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {1, 65_535, 65_536, 65_537, 131_072, 262_144, 327_680})
        @DisplayName("survives sizes on the age chunk and hold-back boundaries")
        void boundaries(int size) throws IOException {
            Pipeline pipeline = pipeline(Compression.none(), PipelineFixtures.x25519());
            byte[] logical = sample(size, size);

            assertThat(decode(pipeline, encode(pipeline, logical))).isEqualTo(logical);
        }

        @Test
        @DisplayName("round-trips at the default scrypt work factor, as the age CLI uses")
        void defaultWorkFactor() throws IOException {
            Pipeline pipeline = pipeline(Compression.zstd(), Encryption.passphrase(Secret.of("a default passphrase")));
            byte[] logical = sample(100_000, 2);

            assertThat(decode(pipeline, encode(pipeline, logical))).isEqualTo(logical);
        }

        @Test
        @DisplayName("streams a few hundred megabytes through zstd and age without holding them")
        void large(@TempDir Path dir) throws IOException {
            Pipeline pipeline = pipeline(Compression.zstd(), PipelineFixtures.x25519());
            long size = 256L << 20;
            Path file = dir.resolve("large.zst.age");
            Encoded encoded;
            String expected;
            try (OutputStream sink = Files.newOutputStream(file)) {
                EncodingStream encoding = pipeline.encode(sink);
                expected = writeGenerated(encoding, size);
                encoded = encoding.finish();
            }
            StoredObject object = PipelineFixtures.object(pipeline, encoded);

            Digest decoded;
            try (InputStream in = pipeline.decode(Files.newInputStream(file), object)) {
                decoded = Pipeline.digest(in);
            }

            assertThat(encoded.logicalSha256()).isEqualTo(expected);
            assertThat(decoded).isEqualTo(new Digest(size, expected));
            assertThat(encoded.storedBytes()).isEqualTo(Files.size(file)).isLessThan(size);
        }
    }

    @Nested
    @DisplayName("encoding")
    class Encoding {

        @Test
        @DisplayName("reports the sizes and SHA-256 of both the logical and the stored bytes")
        void digests() throws IOException {
            Pipeline pipeline = pipeline(Compression.zstd(), PipelineFixtures.x25519());
            byte[] logical = sample(300_000, 3);

            PipelineFixtures.Stored stored = encode(pipeline, logical);

            byte[] b = stored.bytes();
            String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
            int headerEnd = text.indexOf('\n', text.indexOf("\n---") + 1) + 1;
            assertThat(stored.encoded()).isEqualTo(new Encoded(logical.length, sha256(logical), b.length,
                    sha256(b), java.util.Optional.of(sha256(java.util.Arrays.copyOf(b, headerEnd)))));
        }

        @Test
        @DisplayName("gives the same logical digest for byte-at-a-time and bulk writes")
        void smallWrites() throws IOException {
            Pipeline pipeline = pipeline(Compression.gzip(), Encryption.none());
            byte[] logical = sample(200_000, 4);
            EncodingStream encoding = pipeline.encode(new ByteArrayOutputStream());
            for (byte b : logical) {
                encoding.write(b);
            }

            Encoded encoded = encoding.finish();

            assertThat(encoded.logicalBytes()).isEqualTo(logical.length);
            assertThat(encoded.logicalSha256()).isEqualTo(sha256(logical));
        }

        @Test
        @DisplayName("neither finish nor close closes the sink")
        void sinkStaysOpen() throws IOException {
            CloseRecordingSink sink = new CloseRecordingSink();
            EncodingStream encoding = pipeline(Compression.zstd(), PipelineFixtures.x25519()).encode(sink);
            encoding.write("select 1;\n".getBytes(StandardCharsets.US_ASCII));

            encoding.finish();
            encoding.close();

            assertThat(sink.closed).isFalse();
            assertThat(sink.flushed).isTrue();
        }

        @Test
        @DisplayName("writes nothing before the first byte, and nothing more when closed without finish")
        void abandoned() throws IOException {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            EncodingStream encoding = pipeline(Compression.zstd(), PipelineFixtures.x25519()).encode(sink);
            assertThat(sink.size()).isZero();
            encoding.write(sample(10_000, 5));
            int before = sink.size();

            encoding.close();

            assertThat(sink.size()).isEqualTo(before);
            assertThatThrownBy(() -> encoding.write(1)).isInstanceOf(IOException.class);
        }

        @Test
        @DisplayName("refuses writes after finish")
        void writeAfterFinish() throws IOException {
            EncodingStream encoding = pipeline(Compression.none(), Encryption.none()).encode(OutputStream.nullOutputStream());
            encoding.finish();

            assertThatThrownBy(() -> encoding.write(new byte[3])).isInstanceOf(IOException.class);
        }

        @Test
        @DisplayName("applies the gzip level")
        void gzipLevel() throws IOException {
            byte[] logical = sample(500_000, 6);

            int fast = encode(pipeline(new Compression(Compression.Algorithm.GZIP, 1, 0), Encryption.none()), logical)
                    .bytes().length;
            int best = encode(pipeline(new Compression(Compression.Algorithm.GZIP, 9, 0), Encryption.none()), logical)
                    .bytes().length;

            assertThat(best).isLessThan(fast);
        }
    }

    @Nested
    @DisplayName("digest")
    class Digests {

        @Test
        @DisplayName("returns size and SHA-256 of a whole stream")
        void digest() throws IOException {
            byte[] data = sample(400_000, 7);

            assertThat(Pipeline.digest(new ByteArrayInputStream(data))).isEqualTo(new Digest(data.length, sha256(data)));
        }

        @Test
        @DisplayName("returns the well-known hash of nothing")
        void empty() throws IOException {
            assertThat(Pipeline.digest(InputStream.nullInputStream())).isEqualTo(new Digest(0,
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        }
    }

    static String sha256(byte[] data) {
        MessageDigest digest = Sha256.newDigest();
        return HexFormat.of().formatHex(digest.digest(data));
    }

    /** Writes {@code size} bytes of varied text, block by block, and returns their SHA-256. */
    static String writeGenerated(OutputStream out, long size) throws IOException {
        byte[] block = sample(1 << 20, 8);
        MessageDigest digest = Sha256.newDigest();
        long written = 0;
        for (long i = 0; written < size; i++) {
            byte[] stamp = ("-- block " + i + "\n").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(stamp, 0, block, (int) (i % 1000) * 37, stamp.length); // blocks differ
            int n = (int) Math.min(block.length, size - written);
            out.write(block, 0, n);
            digest.update(block, 0, n);
            written += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final class CloseRecordingSink extends FilterOutputStream {
        boolean closed;
        boolean flushed;

        CloseRecordingSink() {
            super(new ByteArrayOutputStream());
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            flushed = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
