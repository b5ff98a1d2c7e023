package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.pgvault.api.AgeKeys;
import io.pgvault.api.Compression;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.pgvault.internal.pipeline.PipelineFixtures.IDENTITY;
import static io.pgvault.internal.pipeline.PipelineFixtures.PASSPHRASE;
import static io.pgvault.internal.pipeline.PipelineFixtures.decode;
import static io.pgvault.internal.pipeline.PipelineFixtures.encode;
import static io.pgvault.internal.pipeline.PipelineFixtures.pipeline;
import static io.pgvault.internal.pipeline.PipelineFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

@DisplayName("Pipeline encryption")
class PipelineEncryptionTest {
    private static final byte[] LOGICAL = sample(50_000, 21);

    @Nested
    @DisplayName("wrong keys")
    class WrongKeys {

        @Test
        @DisplayName("a wrong passphrase fails with DecryptionException")
        void wrongPassphrase() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.zstd(), PipelineFixtures.passphrase()), LOGICAL);
            Pipeline other = pipeline(Compression.zstd(), new Encryption.Passphrase(Secret.of("not it"), 10));

            assertThatThrownBy(() -> decode(other, stored))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining(stored.object().key())
                    .hasMessageContaining("wrong passphrase");
        }

        @Test
        @DisplayName("a wrong identity fails with DecryptionException naming the recipient that tried")
        void wrongIdentity() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.zstd(), PipelineFixtures.x25519()), LOGICAL);
            Secret otherIdentity = AgeKeys.generateIdentity();
            Pipeline other = pipeline(Compression.zstd(), Encryption.x25519(otherIdentity));

            assertThatThrownBy(() -> decode(other, stored))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("wrong key")
                    .hasMessageContaining(AgeKeys.recipientOf(otherIdentity));
        }

        @Test
        @DisplayName("an altered header fails with DecryptionException")
        void tamperedHeader() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.none(), PipelineFixtures.x25519()), LOGICAL);
            byte[] damaged = stored.bytes().clone();
            int macCharacter = headerMacOffset(damaged) + "--- ".length() + 5;
            damaged[macCharacter] = (byte) (damaged[macCharacter] == 'A' ? 'B' : 'A'); // still valid base64

            assertThatThrownBy(() -> decode(pipeline(Compression.none(), PipelineFixtures.x25519()),
                    stored.withBytes(damaged)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("header MAC does not verify");
        }
    }

    @Nested
    @DisplayName("scheme of the stored object")
    class Schemes {

        @Test
        @DisplayName("an X25519 object without a configured identity says which key is needed")
        void x25519WithoutIdentity() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.zstd(), PipelineFixtures.x25519()), LOGICAL);
            Pipeline plain = pipeline(Compression.zstd(), Encryption.none());

            assertThatThrownBy(() -> plain.decode(stored.open(), stored.object()))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("age-x25519")
                    .hasMessageContaining("Encryption.x25519");
        }

        @Test
        @DisplayName("a passphrase object with an identity configured says a passphrase is needed")
        void scryptWithIdentity() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.gzip(), PipelineFixtures.passphrase()), LOGICAL);

            assertThatThrownBy(() -> pipeline(Compression.gzip(), PipelineFixtures.x25519())
                    .decode(stored.open(), stored.object()))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("age-scrypt")
                    .hasMessageContaining("Encryption.passphrase");
        }

        @Test
        @DisplayName("an unencrypted object decodes whatever key is configured")
        void plainObjectWithKey() throws Exception {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.zstd(), Encryption.none()), LOGICAL);

            assertThat(decode(pipeline(Compression.gzip(), PipelineFixtures.x25519()), stored)).isEqualTo(LOGICAL);
        }

        @Test
        @DisplayName("an unknown scheme is refused")
        void unknownScheme() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.zstd(), Encryption.none()), LOGICAL);
            StoredObject o = stored.object();
            StoredObject odd = new StoredObject(o.name(), o.key(), o.logicalBytes(), o.storedBytes(), o.storedSha256(),
                    o.logicalSha256(), o.compression(), "tink-aead", o.attributes());

            assertThatThrownBy(() -> pipeline(Compression.zstd(), Encryption.none()).decode(stored.open(), odd))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("tink-aead");
        }
    }

    @Nested
    @DisplayName("the scrypt stanza")
    class ScryptStanza {

        @Test
        @DisplayName("is written as the age spec describes it")
        void format() {
            byte[] stored = encode(pipeline(Compression.none(), new Encryption.Passphrase(PASSPHRASE, 12)), LOGICAL)
                    .bytes();
            String header = new String(stored, 0, headerMacOffset(stored), StandardCharsets.US_ASCII);

            assertThat(header).matches("age-encryption\\.org/v1\n-> scrypt [A-Za-z0-9+/]{22} 12\n[A-Za-z0-9+/]{43}\n");
        }

        @Test
        @DisplayName("with a work factor above 2^22 is refused before any scrypt work")
        void workFactorTooHigh() {
            PipelineFixtures.Stored stored = encode(pipeline(Compression.none(), PipelineFixtures.passphrase()), LOGICAL);
            byte[] raised = replaceFirst(stored.bytes(), " 10\n", " 23\n");

            assertThatThrownBy(() -> decode(pipeline(Compression.none(), PipelineFixtures.passphrase()),
                    stored.withBytes(raised)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("2^23 exceeds the accepted maximum 2^11");
        }

        @Test
        @DisplayName("must be the only stanza of the header")
        void notAlone() throws Exception {
            RecipientStanzaWriter scrypt = new ScryptRecipientStanzaWriter(PASSPHRASE, 10);
            RecipientStanzaWriter x25519 = X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(
                    AgeKeys.recipientOf(IDENTITY));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (WritableByteChannel channel = new StandardEncryptingChannelFactory()
                    .newEncryptingChannel(Channels.newChannel(out), List.of(scrypt, x25519))) {
                channel.write(ByteBuffer.wrap(LOGICAL));
            }
            byte[] bytes = out.toByteArray();
            StoredObject object = new StoredObject("x", "data/x", LOGICAL.length, bytes.length,
                    PipelineTest.sha256(bytes), PipelineTest.sha256(LOGICAL), Compression.none(), "age-scrypt", null);

            assertThatThrownBy(() -> decode(pipeline(Compression.none(), PipelineFixtures.passphrase()),
                    new PipelineFixtures.Stored(bytes, null, object)))
                    .isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("only stanza");
        }
    }

    @Nested
    @DisplayName("secrets")
    class Secrets {

        @Test
        @DisplayName("appear in no exception message and no toString")
        void neverShown() {
            Secret wrongPassphrase = Secret.of("also-a-secret-passphrase");
            PipelineFixtures.Stored scrypt = encode(pipeline(Compression.zstd(), PipelineFixtures.passphrase()), LOGICAL);
            PipelineFixtures.Stored x25519 = encode(pipeline(Compression.zstd(), PipelineFixtures.x25519()), LOGICAL);
            List<Object> shown = new ArrayList<>();
            shown.add(catchThrowable(() -> decode(pipeline(Compression.zstd(),
                    new Encryption.Passphrase(wrongPassphrase, 10)), scrypt)));
            shown.add(catchThrowable(() -> decode(pipeline(Compression.zstd(),
                    Encryption.x25519(AgeKeys.generateIdentity())), x25519)));
            shown.add(catchThrowable(() -> pipeline(Compression.zstd(), PipelineFixtures.x25519())
                    .decode(scrypt.open(), scrypt.object())));
            shown.add(catchThrowable(() -> AgeKeys.recipientOf(Secret.of("AGE-SECRET-KEY-1NOTAKEY"))));
            shown.add(new PipelineOptions(Compression.zstd(), PipelineFixtures.passphrase()));
            shown.add(new PipelineOptions(Compression.zstd(), PipelineFixtures.x25519()));
            shown.add(new ScryptRecipientStanzaWriter(PASSPHRASE, 10));
            shown.add(new ScryptRecipientStanzaReader(PASSPHRASE, 22));

            assertThat(shown).doesNotContainNull().allSatisfy(o -> assertThat(fullText(o))
                    .doesNotContain(PASSPHRASE.reveal(), wrongPassphrase.reveal(), IDENTITY.reveal(),
                            "NOTAKEY"));
        }
    }

    @Nested
    @DisplayName("AgeKeys")
    class Keys {

        @Test
        @DisplayName("generates identities whose recipient encrypts for them")
        void generate() throws Exception {
            Secret identity = AgeKeys.generateIdentity();

            assertThat(identity.reveal()).startsWith("AGE-SECRET-KEY-1");
            assertThat(AgeKeys.recipientOf(identity)).startsWith("age1").hasSize(62);
            assertThat(decode(pipeline(Compression.none(), Encryption.x25519(identity)),
                    encode(pipeline(Compression.none(), Encryption.x25519(identity)), LOGICAL))).isEqualTo(LOGICAL);
        }

        @Test
        @DisplayName("refuses a malformed identity with a ConfigurationException")
        void malformed() {
            assertThatThrownBy(() -> AgeKeys.recipientOf(Secret.of("AGE-SECRET-KEY-1QQQQ")))
                    .isInstanceOf(ConfigurationException.class);
            assertThatThrownBy(() -> new Pipeline(new PipelineOptions(Compression.none(),
                    Encryption.x25519(Secret.of("AGE-SECRET-KEY-1QQQQ")))))
                    .isInstanceOf(ConfigurationException.class);
        }
    }

    /** @return the offset of "--- " that starts the header MAC line */
    static int headerMacOffset(byte[] stored) {
        String prefix = new String(stored, 0, Math.min(stored.length, 4096), StandardCharsets.ISO_8859_1);
        return prefix.indexOf("\n--- ") + 1;
    }

    static byte[] replaceFirst(byte[] bytes, String from, String to) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(from);
        assertThat(at).isPositive();
        return (text.substring(0, at) + to + text.substring(at + from.length())).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String fullText(Object o) {
        StringBuilder text = new StringBuilder(String.valueOf(o));
        if (o instanceof Throwable t) {
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                text.append(" / ").append(c);
            }
        }
        return text.toString();
    }
}
