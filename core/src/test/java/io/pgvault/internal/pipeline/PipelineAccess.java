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
}
