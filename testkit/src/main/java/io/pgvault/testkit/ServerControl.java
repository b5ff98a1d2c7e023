package io.pgvault.testkit;

import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * {@code initdb} and {@code pg_ctl} for one cluster directory, run as the server's OS user. Holds no state of its
 * own beyond where things are; {@link PostgresCluster} decides when to call what.
 */
final class ServerControl {
    private static final Logger LOG = LoggerFactory.getLogger(ServerControl.class);

    private final ServerBinaries binaries;
    private final ProcessRunner server;
    private final Path directory;
    private final Path dataDirectory;
    private final boolean adopted;

    /**
     * @param binaries  the server binaries
     * @param server    runs tools as the server's OS user
     * @param directory the cluster's directory: {@code data/}, the socket and the log live here
     */
    ServerControl(ServerBinaries binaries, ProcessRunner server, Path directory) {
        this(binaries, server, directory, directory.resolve("data"), false);
    }

    /**
     * @param binaries      the server binaries
     * @param server        runs tools as the server's OS user
     * @param directory     the cluster's directory: the socket and the log live here
     * @param dataDirectory the data directory, e.g. an existing (restored) one elsewhere
     * @param adopted       whether the data directory existed before (its socket directory is then overridden on
     *                      start, since its postgresql.conf names the original cluster's)
     */
    ServerControl(ServerBinaries binaries, ProcessRunner server, Path directory, Path dataDirectory,
            boolean adopted) {
        this.binaries = binaries;
        this.server = server;
        this.directory = directory;
        this.dataDirectory = dataDirectory;
        this.adopted = adopted;
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    Path logFile() {
        return directory.resolve("postgres.log");
    }

    /**
     * Creates the data directory and appends the testkit's settings, then {@code extraConf}, to postgresql.conf.
     */
    void initdb(String superuser, List<String> extraConf) {
        server.run(ToolCommand.builder("initdb", binaries.tool("initdb"))
                .arg("-D", dataDirectory().toString(), "-U", superuser, "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8", "-k", "--no-sync")
                .workingDirectory(directory)
                .timeout(Duration.ofMinutes(2))
                .build());
        List<String> conf = new ArrayList<>(List.of(
                "",
                "# pgvault testkit: a throwaway cluster, fast rather than durable",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = " + PostgresCluster.quoteLiteral(directory.toString()),
                "fsync = off",
                "synchronous_commit = off",
                "shared_buffers = 32MB",
                "max_connections = 50",
                "max_wal_size = 2GB",
                "lc_messages = 'C'",
                "log_min_messages = warning",
                "log_line_prefix = '%m [%p] '"));
        conf.addAll(extraConf);
        appendConf(conf);
    }

    void appendConf(List<String> lines) {
        try {
            Files.writeString(dataDirectory().resolve("postgresql.conf"), String.join("\n", lines) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to postgresql.conf in " + dataDirectory(), e);
        }
    }

    /**
     * {@code pg_ctl start -w} on a port given on the command line (so that a restored copy of the data directory
     * does not inherit it).
     *
     * @param portMayChange whether to report a taken port by returning {@code false} rather than throwing
     * @return {@code true} once the server accepts connections; {@code false} when the port was taken
     * @throws ToolException when the server does not start, quoting the server log
     */
    boolean start(int port, Duration timeout, boolean portMayChange) {
        long logOffset = logSize();
        try {
            pgCtl(timeout.plusSeconds(15), "-l", logFile().toString(), "-w", "-t", Long.toString(timeout.toSeconds()),
                    "-o", adopted ? "-p " + port + " -k " + directory + " -c listen_addresses=" + PostgresCluster.HOST
                            : "-p " + port, "start");
            return true;
        } catch (ToolException e) {
            String log = logSince(logOffset);
            if (portMayChange && log.contains("Address already in use")) {
                LOG.debug("port {} was taken before the server bound it", port);
                return false;
            }
            throw new ToolException(e.code(), "pg_ctl", e.exitCode().orElse(null), e.stderrTail(),
                    "cannot start PostgreSQL in " + dataDirectory() + " on port " + port + ": " + e.getMessage()
                            + "\nserver log:\n" + tail(log, 2000), e);
        }
    }

    /** {@code pg_ctl stop -m fast}, bounded to 30 s; then {@link #stopImmediately()}. */
    void stop() {
        try {
            pgCtl(Duration.ofSeconds(45), "-m", "fast", "-w", "-t", "30", "stop");
        } catch (PgVaultException e) {
            LOG.warn("fast shutdown of the server in {} failed ({}); shutting down immediately", directory,
                    e.getMessage());
            stopImmediately();
        }
    }

    /** {@code pg_ctl stop -m immediate}, then a kill of the postmaster if it is still there. */
    void stopImmediately() {
        OptionalLong pid = pid();
        try {
            pgCtl(Duration.ofSeconds(20), "-m", "immediate", "-w", "-t", "10", "stop");
        } catch (PgVaultException e) {
            LOG.warn("immediate shutdown of the server in {} failed ({}); killing it", directory, e.getMessage());
        }
        pid.ifPresent(p -> ProcessHandle.of(p).ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }));
    }

    /** @return the postmaster's process id from {@code postmaster.pid}, while the server runs */
    OptionalLong pid() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory().resolve("postmaster.pid"));
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** @return a port of 127.0.0.1 that was free a moment ago */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(PostgresCluster.HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + PostgresCluster.HOST, e);
        }
    }

    private void pgCtl(Duration timeout, String... args) {
        server.run(ToolCommand.builder("pg_ctl", binaries.tool("pg_ctl"))
                .arg("-D", dataDirectory().toString())
                .arg(args)
                .workingDirectory(directory)
                .timeout(timeout)
                .build());
    }

    private long logSize() {
        try {
            return Files.exists(logFile()) ? Files.size(logFile()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.exists(logFile()) ? Files.readAllBytes(logFile()) : new byte[0];
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }
}
