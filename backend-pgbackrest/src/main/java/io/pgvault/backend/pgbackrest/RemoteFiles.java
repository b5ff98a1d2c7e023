package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes files and directories where pgBackRest runs, as the user it runs as, through the same launcher (locally,
 * with runuser/sudo, docker exec or ssh). File contents travel on standard input, never on an argument list, and
 * are written 0600 under {@code umask 077}, then renamed into place.
 */
final class RemoteFiles {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /**
     * mktemp creates the temporary file exclusively (O_EXCL: a planted link or file under a predictable name is never
     * followed or reused) with an unpredictable name, 0600; it is removed again when anything fails.
     */
    private static final String WRITE = "umask 077 && mkdir -p -- \"$(dirname -- \"$1\")\" "
            + "&& t=$(mktemp -- \"$1.pgvault-XXXXXXXXXX\") "
            + "&& { cat > \"$t\" && chmod 600 -- \"$t\" && mv -f -- \"$t\" \"$1\" || { rm -f -- \"$t\"; exit 1; }; }";

    private final ProcessRunner runner;

    RemoteFiles(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Writes {@code content} to {@code file} (0600), creating its directory (0700) if needed. */
    void write(Path file, String content) {
        ToolCommand cmd = writeCommand(file);
        try (ToolProcess p = runner.start(cmd)) {
            try (OutputStream in = p.stdin()) {
                in.write(content.getBytes(StandardCharsets.UTF_8));
            }
            p.stdout().transferTo(OutputStream.nullOutputStream());
            p.await();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot write " + file + " ("
                    + runner.launcher().describe() + "): " + e.getMessage(), e);
        }
    }

    /** @return the command that writes standard input to {@code file}, 0600, atomically */
    static ToolCommand writeCommand(Path file) {
        return ToolCommand.builder("sh", "sh").arg("-c", WRITE, "sh", file.toString()).timeout(TIMEOUT).build();
    }

    /**
     * Reads a text file where pgBackRest runs, as its user.
     *
     * @return its content, or empty when it does not exist
     */
    java.util.Optional<String> read(Path file) {
        // exit 3 tells "absent" apart from a file cat cannot read, which fails as it is
        String script = "[ -e \"$1\" ] || exit 3; exec cat -- \"$1\"";
        // the raw stream, not ProcessRunner#run's stdout: that is redacted, and its assignment pattern turns
        // "repo1-s3-key-type=shared" into "repo1-s3-key-type=***", which would never match the rendered text
        ToolCommand cmd = ToolCommand.builder("sh", "sh").arg("-c", script, "sh", file.toString()).timeout(TIMEOUT)
                .build();
        try (ToolProcess p = runner.start(cmd, 0, 3)) {
            String content = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            return p.await().exitCode() == 3 ? java.util.Optional.empty() : java.util.Optional.of(content);
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read " + file + " ("
                    + runner.launcher().describe() + "): " + e.getMessage(), e);
        }
    }

    /** Creates directories (mode 0750 for the last component when new). */
    void mkdirs(List<Path> dirs) {
        List<String> args = new ArrayList<>(List.of("-p", "-m", "0750", "--"));
        dirs.forEach(d -> args.add(d.toString()));
        runner.run(ToolCommand.builder("mkdir", "mkdir").args(args).timeout(TIMEOUT).build());
    }
}
