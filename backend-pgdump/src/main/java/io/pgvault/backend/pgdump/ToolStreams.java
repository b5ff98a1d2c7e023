package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ToolProcess;
import io.pgvault.spi.process.ToolResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/** Moving bytes between objects and tools with a fixed buffer, so memory never grows with the database. */
final class ToolStreams {
    private static final int BUFFER = 64 * 1024;

    private ToolStreams() {
    }

    /**
     * Feeds {@code source} into a tool's standard input while its standard output is drained, then waits for it.
     * If reading the source fails (a damaged or truncated object), the tool is killed <em>before</em> its input is
     * closed, so it never sees a clean end of input and cannot commit a partial restore.
     *
     * @param process a started tool
     * @param source  what to feed; closed here
     * @return the tool's result
     * @throws ToolException when the tool fails (its stderr tail explains a broken pipe)
     */
    static ToolResult feed(ToolProcess process, InputStream source) {
        Thread drain = drain(process);
        IOException toolStoppedReading = null;
        try (InputStream in = source) {
            OutputStream stdin = process.stdin();
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                try {
                    stdin.write(buf, 0, n);
                } catch (IOException e) {
                    toolStoppedReading = e;
                    break;
                }
            }
            if (toolStoppedReading == null) {
                try {
                    stdin.close();
                } catch (IOException e) {
                    toolStoppedReading = e;
                }
            }
        } catch (IOException e) {
            process.killTree();
            throw new RepositoryException("reading the backup object for " + process.command().tool()
                    + " failed: " + e, e);
        } catch (RuntimeException | Error e) {
            process.killTree();
            throw e;
        }
        ToolResult result = process.await();
        join(drain);
        if (toolStoppedReading != null) {
            throw new ToolException(ErrorCode.TOOL_FAILED, result.tool(), result.exitCode(), result.stderrTail(),
                    result.tool() + " stopped reading its input before the end (" + toolStoppedReading.getMessage()
                            + ")" + (result.stderrTail().isEmpty() ? "" : ": " + result.stderrTail()), null);
        }
        return result;
    }

    /**
     * @param process a tool whose standard output nobody reads
     * @return a daemon thread discarding it, so the tool never blocks on a full pipe
     */
    static Thread drain(ToolProcess process) {
        Thread t = new Thread(() -> {
            try (InputStream out = process.stdout()) {
                out.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the tool is gone; its exit code tells the story
            }
        }, process.command().tool() + "-stdout");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while draining a tool's output", e);
        }
    }

    /**
     * @param in  source
     * @param out sink (not closed)
     * @return bytes copied
     * @throws IOException from either side
     */
    static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    /**
     * @param parent a scratch directory
     * @param prefix a readable name start
     * @return a new, empty, private (0700) directory under {@code parent}
     */
    static Path privateDirectory(Path parent, String prefix) {
        try {
            return Files.createTempDirectory(parent, prefix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new RepositoryException("cannot create a directory in the scratch directory " + parent + ": " + e,
                    e);
        }
    }

    /**
     * Deletes a file or directory tree; the scratch directory is removed later in any case, this only frees disk
     * early.
     *
     * @param path what to delete
     */
    static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ToolStreams.class).warn("could not remove {}: {}", path, e.toString());
        }
    }

    /**
     * Writes a stream to a new private (0600) file.
     *
     * @param in   source; closed here
     * @param file the file to create; must not exist
     */
    static void materialize(InputStream in, Path file) {
        try (InputStream src = in; OutputStream out = Files.newOutputStream(
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), StandardOpenOption.WRITE)) {
            copy(src, out);
        } catch (IOException e) {
            throw new RepositoryException("cannot stage " + file.getFileName() + " in the scratch directory: " + e, e);
        }
    }
}
