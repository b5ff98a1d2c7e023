package io.pgvault.internal.pipeline;

import io.pgvault.api.Compression;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.StoredObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import static io.pgvault.internal.pipeline.PipelineFixtures.decode;
import static io.pgvault.internal.pipeline.PipelineFixtures.encode;
import static io.pgvault.internal.pipeline.PipelineFixtures.pipeline;
import static io.pgvault.internal.pipeline.PipelineFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Pipeline.decode integrity")
class PipelineIntegrityTest {
    private static final String KEY = "data/20240501T000000Z/app.sql";

    static List<PipelineOptions> allOptions() {
        return PipelineFixtures.allOptions();
    }

    @Nested
    @DisplayName("damaged stored bytes")
    class Damage {

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.internal.pipeline.PipelineIntegrityTest#allOptions")
        @DisplayName("a flipped byte in the middle fails with IntegrityException naming the object")
        void flippedByte(PipelineOptions options) {
            Pipeline pipeline = new Pipeline(options);
            PipelineFixtures.Stored stored = encode(pipeline, sample(400_000, 11));
            byte[] damaged = stored.bytes().clone();
            damaged[damaged.length / 2] ^= 0x10;

            assertThatThrownBy(() -> decode(pipeline, stored.withBytes(damaged)))
                    .isInstanceOf(IntegrityException.class)
                    .hasMessageContaining(KEY);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.internal.pipeline.PipelineIntegrityTest#allOptions")
        @DisplayName("truncation anywhere fails with IntegrityException, never a short read")
        void truncated(PipelineOptions options) {
            Pipeline pipeline = new Pipeline(options);
            PipelineFixtures.Stored stored = encode(pipeline, sample(300_000, 12));
            int length = stored.bytes().length;

            for (int cut : new int[] {0, 1, 20, 100, length / 3, length / 2, length - 17, length - 1}) {
                byte[] cutBytes = Arrays.copyOf(stored.bytes(), cut);
                assertThatThrownBy(() -> decode(pipeline, stored.withBytes(cutBytes)))
                        .as("cut at %d of %d", cut, length)
                        .isInstanceOf(IntegrityException.class)
                        .hasMessageContaining(KEY);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.internal.pipeline.PipelineIntegrityTest#allOptions")
        @DisplayName("bytes appended after the end fail with IntegrityException")
        void appended(PipelineOptions options) {
            Pipeline pipeline = new Pipeline(options);
            PipelineFixtures.Stored stored = encode(pipeline, sample(100_000, 13));
            byte[] longer = Arrays.copyOf(stored.bytes(), stored.bytes().length + 5);

            assertThatThrownBy(() -> decode(pipeline, stored.withBytes(longer)))
                    .isInstanceOf(IntegrityException.class)
                    .hasMessageContaining(KEY);
        }

        @Test
        @DisplayName("a cut zstd frame fails even when the manifest agrees with the cut size")
        void truncatedFrameWithMatchingManifest() {
            Pipeline pipeline = pipeline(Compression.zstd(), Encryption.none());
            PipelineFixtures.Stored stored = encode(pipeline, sample(300_000, 14));
            byte[] cut = Arrays.copyOf(stored.bytes(), stored.bytes().length - 40);
            StoredObject lyingManifest = withStored(stored.object(), cut.length, PipelineTest.sha256(cut));

            assertThatThrownBy(() -> decode(pipeline, new PipelineFixtures.Stored(cut, stored.encoded(), lyingManifest)))
                    .isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("zstd");
        }

        @Test
        @DisplayName("an altered age payload chunk fails with DecryptionException")
        void tamperedCiphertext() {
            Pipeline pipeline = pipeline(Compression.none(), PipelineFixtures.x25519());
            PipelineFixtures.Stored stored = encode(pipeline, sample(200_000, 15));
            byte[] damaged = stored.bytes().clone();
            damaged[damaged.length - 100] ^= 1;

            assertThatThrownBy(() -> decode(pipeline, stored.withBytes(damaged)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining(KEY);
        }

        @Test
        @DisplayName("a manifest with a different logical digest fails at the end")
        void wrongLogicalDigest() {
            Pipeline pipeline = pipeline(Compression.zstd(), Encryption.none());
            PipelineFixtures.Stored stored = encode(pipeline, sample(50_000, 16));
            StoredObject o = stored.object();
            StoredObject wrong = new StoredObject(o.name(), o.key(), o.logicalBytes(), o.storedBytes(),
                    o.storedSha256(), "0".repeat(64), o.compression(), o.encryption(), o.attributes());

            assertThatThrownBy(() -> decode(pipeline, new PipelineFixtures.Stored(stored.bytes(), stored.encoded(), wrong)))
                    .isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("SHA-256 of its decoded bytes");
        }
    }

    @Nested
    @DisplayName("hold-back")
    class HoldBack {

        @Test
        @DisplayName("never hands out the final bytes of a damaged object")
        void tailWithheld() throws IOException {
            Pipeline pipeline = pipeline(Compression.none(), Encryption.none());
            byte[] logical = sample(1_000_000, 17);
            PipelineFixtures.Stored stored = encode(pipeline, logical);
            byte[] damaged = stored.bytes().clone();
            damaged[damaged.length - 1] ^= 1;

            long received = 0;
            try (InputStream in = pipeline.decode(new ByteArrayInputStream(damaged), stored.object())) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received += n;
                }
            } catch (IntegrityException expected) {
                // the point of the test is how far the consumer got
            }

            assertThat(received).isLessThanOrEqualTo(logical.length - VerifyingDecodingStream.HOLD_BACK);
        }

        @Test
        @DisplayName("withholds a small damaged object entirely")
        void smallObjectWithheld() throws IOException {
            Pipeline pipeline = pipeline(Compression.gzip(), Encryption.none());
            PipelineFixtures.Stored stored = encode(pipeline, sample(20_000, 18));
            StoredObject wrong = withStored(stored.object(), stored.object().storedBytes(), "f".repeat(64));

            try (InputStream in = pipeline.decode(stored.open(), wrong)) {
                assertThatThrownBy(in::read).isInstanceOf(IntegrityException.class);
                assertThatThrownBy(in::read).as("the failure sticks").isInstanceOf(IntegrityException.class);
            }
        }
    }

    @Nested
    @DisplayName("failures of the stored stream")
    class StoredStreamFailures {

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.internal.pipeline.PipelineIntegrityTest#allOptions")
        @DisplayName("stay IOException, not integrity failures")
        void ioFailure(PipelineOptions options) {
            Pipeline pipeline = new Pipeline(options);
            PipelineFixtures.Stored stored = encode(pipeline, sample(300_000, 19));
            InputStream failing = new FailingInputStream(stored.bytes(), stored.bytes().length / 2);

            assertThatThrownBy(() -> {
                try (InputStream in = pipeline.decode(failing, stored.object())) {
                    in.readAllBytes();
                }
            }).isInstanceOf(IOException.class).hasMessage("disk on fire");
        }

        @Test
        @DisplayName("closing the decoded stream closes the stored stream")
        void closes() throws IOException {
            Pipeline pipeline = pipeline(Compression.zstd(), PipelineFixtures.x25519());
            PipelineFixtures.Stored stored = encode(pipeline, sample(1000, 20));
            FailingInputStream source = new FailingInputStream(stored.bytes(), Integer.MAX_VALUE);

            pipeline.decode(source, stored.object()).close();

            assertThat(source.closed).isTrue();
        }
    }

    static StoredObject withStored(StoredObject o, long storedBytes, String storedSha256) {
        return new StoredObject(o.name(), o.key(), o.logicalBytes(), storedBytes, storedSha256, o.logicalSha256(),
                o.compression(), o.encryption(), o.attributes());
    }

    /** Serves bytes, then fails like a broken disk or connection at {@code failAt}. */
    private static final class FailingInputStream extends InputStream {
        private final ByteArrayInputStream data;
        private final int failAt;
        private int position;
        boolean closed;

        FailingInputStream(byte[] bytes, int failAt) {
            this.data = new ByteArrayInputStream(bytes);
            this.failAt = failAt;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= failAt) {
                throw new IOException("disk on fire");
            }
            int n = data.read(b, off, Math.min(len, failAt - position));
            position += Math.max(n, 0);
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
