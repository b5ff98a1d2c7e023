package io.pgvault.internal.pipeline;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.pgvault.api.Compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Opens the compression stage of either direction for a {@link Compression}; the output is a standard frame. */
final class CompressionStages {
    /** gzip's default 512-byte buffers would mean one downstream write per 512 bytes. */
    private static final int GZIP_BUFFER = 64 * 1024;

    private CompressionStages() {
    }

    /**
     * @param downstream where compressed bytes go; closing the returned stream ends the frame and closes it
     * @return the stream to write uncompressed bytes into ({@code downstream} itself for none)
     */
    static OutputStream compressor(Compression compression, OutputStream downstream) throws IOException {
        return switch (compression.algorithm()) {
            case NONE -> downstream;
            case GZIP -> new LeveledGzipOutputStream(downstream, compression.level());
            case ZSTD -> {
                ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(downstream, compression.level());
                try {
                    zstd.setChecksum(true); // lets zstd -d, and our reader, reject a damaged frame on its own
                    if (compression.workers() > 0) {
                        zstd.setWorkers(compression.workers());
                    }
                } catch (IOException | RuntimeException e) {
                    zstd.closeWithoutClosingParentStream();
                    throw e;
                }
                yield zstd;
            }
        };
    }

    /**
     * @param upstream compressed bytes; closing the returned stream closes it
     * @return the uncompressed bytes ({@code upstream} itself for none)
     */
    static InputStream decompressor(Compression compression, InputStream upstream) throws IOException {
        return switch (compression.algorithm()) {
            case NONE -> upstream;
            case GZIP -> new GZIPInputStream(upstream, GZIP_BUFFER);
            case ZSTD -> new ZstdInputStreamNoFinalizer(upstream); // not continuous: a cut frame is an error
        };
    }

    /** {@link GZIPOutputStream} with a level and a buffer that suits streaming. */
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, GZIP_BUFFER);
            def.setLevel(level); // takes effect from the first deflate; only the 10-byte header is written yet
        }
    }
}
