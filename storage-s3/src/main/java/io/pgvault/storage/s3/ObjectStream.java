package io.pgvault.storage.s3;

import software.amazon.awssdk.core.ResponseInputStream;

import java.io.FilterInputStream;
import java.io.IOException;

/**
 * The body of a GetObject. Closing it before the end aborts the HTTP request instead of letting the HTTP client read
 * the rest of the object to reuse the connection, which for a multi-GiB backup abandoned part-way would mean
 * downloading gigabytes nobody reads.
 */
final class ObjectStream extends FilterInputStream {
    private final ResponseInputStream<?> response;
    private boolean ended;

    ObjectStream(ResponseInputStream<?> response) {
        super(response);
        this.response = response;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        ended |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int n = in.read(bytes, offset, length);
        ended |= n < 0;
        return n;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            response.abort();
        }
        in.close();
    }
}
