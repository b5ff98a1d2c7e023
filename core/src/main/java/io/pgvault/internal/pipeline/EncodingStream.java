package io.pgvault.internal.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The writing end of the pipeline: logical bytes in; compressed, encrypted, digested bytes out to the sink.
 * {@link #finish()} completes every stage (compression frame, final age chunk) without closing the sink.
 */
public abstract class EncodingStream extends OutputStream {
    /**
     * Completes every stage and flushes into the sink, which stays open.
     *
     * @return sizes and digests
     * @throws IOException when a stage or the sink fails
     */
    public abstract Encoded finish() throws IOException;
}
