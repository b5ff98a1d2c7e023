package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.DecryptingChannelFactory;
import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.UnsupportedRecipientStanzaException;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import io.pgvault.api.DecryptionException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;
import java.security.SignatureException;
import java.util.List;
import java.util.Objects;

/**
 * The decryption stage: Jagged reads the age header on first use, then authenticates each 64 KiB chunk. Jagged
 * recognises the final chunk by reaching the end of the stored bytes, so a cut or extended payload fails
 * authentication. Failures of the data surface as {@link DecryptionException}; failures to read the stored bytes
 * stay {@link IOException}.
 */
final class AgeDecryptingInput extends InputStream {
    private static final DecryptingChannelFactory FACTORY = new StandardDecryptingChannelFactory();

    private final StoredBytesSource source;
    private final RecipientStanzaReader identity;
    private final String objectKey;
    private final String keyDescription;
    private ReadableByteChannel channel;

    /**
     * @param keyDescription which key is trying, for messages (never the secret)
     */
    AgeDecryptingInput(StoredBytesSource source, RecipientStanzaReader identity, String objectKey,
            String keyDescription) {
        this.source = Objects.requireNonNull(source, "source");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.objectKey = Objects.requireNonNull(objectKey, "objectKey");
        this.keyDescription = Objects.requireNonNull(keyDescription, "keyDescription");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        ReadableByteChannel in = channel();
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (true) {
            int result;
            try {
                result = in.read(buffer);
            } catch (IOException e) {
                if (source.failure() != null) {
                    throw source.failure();
                }
                throw new DecryptionException("object " + objectKey + " is corrupt or truncated: an age payload "
                        + "chunk failed authentication after " + source.count() + " stored bytes (" + e.getMessage()
                        + ")", e);
            }
            // Jagged may report the end of the stream in the same call that delivered the final bytes: count them.
            int delivered = buffer.position() - off;
            if (delivered > 0) {
                return delivered;
            }
            if (result < 0) {
                return -1;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close(); // closes the source too
        } else {
            source.close();
        }
    }

    private ReadableByteChannel channel() throws IOException {
        if (channel == null) {
            try {
                channel = FACTORY.newDecryptingChannel(source, List.of(identity));
            } catch (GeneralSecurityException e) {
                throw new DecryptionException("cannot decrypt object " + objectKey + ": " + headerProblem(e), e);
            } catch (IOException e) {
                if (source.failure() != null) {
                    throw source.failure();
                }
                throw new DecryptionException("cannot decrypt object " + objectKey
                        + ": its age header is malformed or truncated (" + e.getMessage() + ")", e);
            }
        }
        return channel;
    }

    private String headerProblem(GeneralSecurityException e) {
        if (e instanceof WrongKeyException) {
            return keyDescription + " does not open it: wrong passphrase (or the header was altered)";
        }
        if (e instanceof UnsupportedRecipientStanzaException) {
            return keyDescription + " does not open it: wrong key (or the header was altered) (" + e.getMessage() + ")";
        }
        if (e instanceof MalformedStanzaException) {
            return "its age header is invalid: " + e.getMessage();
        }
        if (e instanceof SignatureException) {
            return "its age header was altered (the header MAC does not verify)";
        }
        // Jagged's own header parser failed: a cut or damaged header
        return "its age header is malformed or truncated (" + e.getMessage() + ")";
    }
}
