package io.pgvault.internal.pipeline;

import io.pgvault.api.PipelineOptions;
import io.pgvault.api.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The streaming stages between a tool and a repository. STUB: being implemented.
 */
public final class Pipeline {
    private final PipelineOptions options;

    public Pipeline(PipelineOptions options) {
        this.options = Objects.requireNonNull(options);
    }

    public PipelineOptions options() {
        return options;
    }

    /**
     * @param sink where stored bytes go; not closed by {@link EncodingStream#finish()} nor by close()
     * @return the stream to write logical bytes into
     */
    public EncodingStream encode(OutputStream sink) {
        throw new IllegalStateException("pipeline not implemented yet");
    }

    /**
     * @param stored the stored bytes of {@code object}
     * @param object the manifest entry: compression, encryption scheme, sizes and digests to check
     * @return the logical bytes; integrity failures surface from read() before the final bytes are released
     */
    public InputStream decode(InputStream stored, StoredObject object) {
        throw new IllegalStateException("pipeline not implemented yet");
    }

    /**
     * @param in a stream, read to its end (not closed)
     * @return its size and SHA-256
     * @throws IOException when reading fails
     */
    public static Digest digest(InputStream in) throws IOException {
        throw new IllegalStateException("pipeline not implemented yet");
    }
}
