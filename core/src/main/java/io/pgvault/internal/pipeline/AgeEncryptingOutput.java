package io.pgvault.internal.pipeline;

import com.exceptionfactory.jagged.EncryptingChannelFactory;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;

/**
 * The encryption stage: an age v1 stream written by Jagged into the {@link StoredBytesSink}. Jagged's channel copies
 * into its own 64 KiB chunk buffer and hands the sealed chunk to the sink as one heap buffer, so no extra copy is made
 * here. {@link #close()} writes the final chunk and closes the sink stage (not the caller's sink).
 */
final class AgeEncryptingOutput extends OutputStream {
    private static final EncryptingChannelFactory FACTORY = new StandardEncryptingChannelFactory();

    private final StoredBytesSink sink;
    private final RecipientStanzaWriter recipient;
    private WritableByteChannel channel;

    AgeEncryptingOutput(StoredBytesSink sink, RecipientStanzaWriter recipient) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.recipient = Objects.requireNonNull(recipient, "recipient");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        WritableByteChannel out = channel();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel == null && sink.discarding()) {
            sink.close(); // abandoned before any byte: do not pay for a header (scrypt) nobody will read
            return;
        }
        channel().close();
    }

    // Opened on first use: the header is I/O, and deriving an scrypt key takes a noticeable moment.
    private WritableByteChannel channel() throws IOException {
        if (channel == null) {
            try {
                channel = FACTORY.newEncryptingChannel(sink, List.of(recipient));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot start age encryption: " + e.getMessage(), e);
            }
        }
        return channel;
    }
}
