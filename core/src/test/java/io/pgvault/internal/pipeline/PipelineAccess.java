package io.pgvault.internal.pipeline;

import io.pgvault.api.PipelineOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Lets tests in other packages encode bytes as pgvault stores them. */
public final class PipelineAccess {
    private PipelineAccess() {
    }

    /**
     * @param options how to encode
     * @param logical the bytes
     * @return the stored bytes
     */
    public static byte[] encode(PipelineOptions options, byte[] logical) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EncodingStream enc = new Pipeline(options).encode(out)) {
            enc.write(logical);
            enc.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @return how many age scrypt derivations this JVM has run so far */
    public static long scryptDerivations() {
        return ScryptWrapKey.DERIVATIONS.get();
    }

    /**
     * @param options a passphrase's options
     * @param source  opens the key file
     * @param keyFile a set's key file
     * @return when its key was made: the {@code # created:} comment age-keygen writes
     */
    public static java.time.Instant keyCreated(PipelineOptions options, DecodeSession.Source source, String keyFile) {
        io.pgvault.api.Encryption.Passphrase p = (io.pgvault.api.Encryption.Passphrase) options.encryption();
        try (java.io.InputStream in = new AgeDecryptingInput(new StoredBytesSource(source.open(keyFile)),
                new ScryptRecipientStanzaReader(p.passphrase(), p.maxReadWorkFactor()), keyFile, "the passphrase")) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return text.lines().filter(l -> l.startsWith("# created: ")).map(l -> java.time.Instant.parse(
                    l.substring("# created: ".length()))).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
