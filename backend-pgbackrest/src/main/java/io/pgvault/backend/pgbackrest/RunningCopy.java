package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A restored data directory started on its own port for inspection (a restore drill, a PITR check). It listens on
 * {@code 127.0.0.1} and on a Unix socket in its data directory, and runs as the launcher's user. {@link #close()}
 * stops it ({@code pg_ctl stop -m fast}); the data directory stays for the caller to keep or delete.
 *
 * @since 0.1.0
 */
public final class RunningCopy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningCopy.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final String PSQL_ON_PATH = "psql";

    private final ProcessRunner runner;
    private final String pgCtl;
    private volatile String psql;
    private volatile boolean psqlChecked;
    private final Path dataDirectory;
    private final Path socketDirectory;
    private final int port;
    private final String user;
    private boolean running;

    private RunningCopy(ProcessRunner runner, Path binDir, Path dataDirectory, int port, String user) {
        this.runner = runner;
        this.pgCtl = binDir == null ? "pg_ctl" : binDir.resolve("pg_ctl").toString();
        this.psql = binDir == null ? "psql" : binDir.resolve("psql").toString();
        this.dataDirectory = dataDirectory;
        this.socketDirectory = dataDirectory;
        this.port = port;
        this.user = user;
    }

    /**
     * Starts PostgreSQL on a data directory and waits until it accepts connections.
     *
     * @param runner        runs {@code pg_ctl}/{@code psql} as the data directory's owner
     * @param binDir        the directory of {@code pg_ctl} and {@code psql}, or null for {@code PATH}
     * @param dataDirectory the data directory
     * @param port          the port
     * @param user          the role to query as
     * @param timeout       how long the start may take
     * @return the running copy
     * @throws ToolException when the server does not start (the message names the log file and quotes its end)
     */
    static RunningCopy start(ProcessRunner runner, Path binDir, Path dataDirectory, int port, String user,
            Duration timeout) {
        RunningCopy copy = new RunningCopy(runner, binDir, dataDirectory, port, user);
        String options = "-p " + port + " -k " + Launcher.shellQuote(copy.socketDirectory.toString())
                + " -c listen_addresses=127.0.0.1";
        try {
            runner.run(ToolCommand.builder("pg_ctl", copy.pgCtl)
                    .arg("-D", dataDirectory.toString(), "-l", copy.logFile().toString(), "-w", "-t",
                            Long.toString(Math.max(1, timeout.toSeconds())), "-o", options, "start")
                    .timeout(timeout.plusSeconds(30)).build());
        } catch (ToolException e) {
            if (e.code() != ErrorCode.TOOL_FAILED) {
                throw e;
            }
            // the server may get as far as recovery and stop there before it accepts connections, or not get that
            // far at all: the cause is in its log, and the remedy follows from it
            String log = copy.lastLogLines();
            throw new ToolException(e.code(), e.tool(), e.exitCode().orElse(null), e.stderrTail(),
                    "the restored copy on port " + port + " did not start: " + copy.cause(log, "start-up or recovery")
                            + "; see " + copy.logFile() + log, e);
        }
        copy.running = true;
        return copy;
    }

    /**
     * @return the port it listens on
     * @since 0.1.0
     */
    public int port() {
        return port;
    }

    /**
     * @return its data directory
     * @since 0.1.0
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * @return the directory of its Unix socket (the data directory)
     * @since 0.1.0
     */
    public Path socketDirectory() {
        return socketDirectory;
    }

    /**
     * @return its server log ({@code pgvault-copy.log} in the data directory)
     * @since 0.1.0
     */
    public Path logFile() {
        return dataDirectory.resolve("pgvault-copy.log");
    }

    /**
     * @param database a database of the copy
     * @return a TCP connection to it on {@code 127.0.0.1}
     * @since 0.1.0
     */
    public PgConnection connection(String database) {
        return PgConnection.builder().host("127.0.0.1").port(port).user(user).database(database).build();
    }

    /**
     * Runs one query with {@code psql} over the copy's Unix socket, as the launcher's user.
     *
     * @param database the database
     * @param sql      a query returning one value
     * @return the first column of the first row as text ({@code ""} when none)
     * @throws ToolException when the query fails
     * @since 0.1.0
     */
    public String queryValue(String database, String sql) {
        Objects.requireNonNull(sql, "sql");
        String out = psql(psqlProgram(), database, sql);
        String first = out.lines().findFirst().orElse("");
        return first.strip();
    }

    /**
     * Server-only builds (embedded/zonky PostgreSQL) have {@code pg_ctl} but no {@code psql} beside it: then the one
     * on {@code PATH} queries the copy (psql talks to newer servers). Checked once, through the launcher (the copy may
     * run on another host or as another user); a launcher such as {@code runuser} reports a missing program with its
     * own exit status 1, indistinguishable from a failed query.
     */
    private String psqlProgram() {
        String program = psql;
        if (!program.equals(PSQL_ON_PATH) && !psqlChecked) {
            int exit = runner.run(ToolCommand.builder("test", "test").arg("-x", program)
                    .timeout(Duration.ofSeconds(30)).build(), 0, 1).exitCode();
            if (exit != 0) {
                LOG.debug("no psql at {}: querying the copy with the psql on PATH", program);
                program = PSQL_ON_PATH;
                psql = program;
            }
            psqlChecked = true;
        }
        return program;
    }

    private String psql(String program, String database, String sql) {
        return runner.run(ToolCommand.builder("psql", program)
                .arg("-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory.toString(), "-p",
                        Integer.toString(port), "-U", user, "-d", database, "-c", sql)
                .env("PGCONNECT_TIMEOUT", "10")
                .timeout(Duration.ofMinutes(10)).build()).stdout();
    }

    /**
     * @return whether the copy is still replaying WAL ({@code pg_is_in_recovery()})
     * @since 0.1.0
     */
    public boolean inRecovery() {
        return "t".equals(queryValue("postgres", "select pg_is_in_recovery()"));
    }

    /**
     * Waits until recovery has ended (the copy was promoted at its target). {@code pg_ctl start -w} returns as soon as
     * the server accepts connections, which is before point-in-time recovery ends.
     *
     * @param timeout how long to wait
     * @throws PgVaultException (TIMEOUT) when it is still in recovery after {@code timeout}; (TOOL_FAILED) at once
     *                          when the copy stops instead, e.g. because the target lies beyond the archived WAL
     * @since 0.1.0
     */
    public void awaitRecoveryEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (!inRecovery()) {
                    return;
                }
            } catch (ToolException e) {
                if (e.code() == ErrorCode.TOOL_MISSING) {
                    throw e; // no psql to ask with: waiting cannot help (it used to wait out the whole timeout)
                }
                // the server may refuse connections for a moment while it promotes, or it has stopped for good
                // (e.g. a recovery target past the end of the available WAL): then waiting longer cannot help
                if (!serverRunning()) {
                    running = false;
                    String log = lastLogLines();
                    throw new PgVaultException(ErrorCode.TOOL_FAILED, "the restored copy on port " + port + " "
                            + cause(log, "recovery") + "; see " + logFile() + log);
                }
                LOG.debug("copy on port {} not queryable yet: {}", port, e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new PgVaultException(ErrorCode.TIMEOUT, "the restored copy on port " + port
                        + " is still in recovery after " + timeout + "; see " + logFile());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted waiting for the restored copy", e);
            }
        }
    }

    /**
     * Stops the copy ({@code pg_ctl stop -m fast}, then {@code -m immediate}). Stopping a stopped copy does nothing.
     *
     * @since 0.1.0
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            pgCtlStop("fast");
        } catch (PgVaultException e) {
            LOG.warn("fast shutdown of the restored copy in {} failed ({}); stopping it immediately", dataDirectory,
                    e.getMessage());
            pgCtlStop("immediate");
        }
        running = false;
    }

    /** {@code pg_ctl status}: exit 0 while the postmaster runs, 3 once it has stopped. */
    private boolean serverRunning() {
        try {
            runner.run(ToolCommand.builder("pg_ctl", pgCtl).arg("-D", dataDirectory.toString(), "status")
                    .timeout(Duration.ofSeconds(30)).build());
            return true;
        } catch (ToolException e) {
            return false;
        }
    }

    /**
     * What stopped the server, told by its log, with the remedy for that cause; only when the log names none is the
     * answer a question.
     *
     * @param log   the end of the server log
     * @param phase where it stopped when the log tells nothing more, e.g. {@code recovery}
     */
    String cause(String log, String phase) {
        if (log.contains("could not bind") || log.contains("Address already in use")
                || log.contains("could not create any TCP/IP sockets")) {
            return "port " + port + " is in use by another process (PostgreSQL could not bind 127.0.0.1:" + port
                    + "); the restored data directory is intact: start it on a free port with "
                    + "PgBackRest#startCopy(dataDirectory, port), or restore again with another startOnPort";
        }
        if (log.contains("lock file") && log.contains("already exists")) {
            return "another server already runs on the data directory " + dataDirectory + " or its socket (a lock "
                    + "file exists): stop it, or start this copy elsewhere";
        }
        if (log.contains("recovery ended before configured recovery target was reached")) {
            return "stopped during recovery: the recovery target is beyond the WAL the repository holds; choose an "
                    + "earlier target (check archiving with PgBackRest#check)";
        }
        return "it stopped during " + phase + " (is the recovery target beyond the WAL the repository holds?)";
    }

    /**
     * The end of the server log, read where the copy runs (through the launcher, so also in a container or over
     * ssh), else from here; empty when neither can read it. For exception messages.
     */
    private String lastLogLines() {
        List<String> lines;
        try {
            lines = runner.run(ToolCommand.builder("tail", "tail").arg("-n", "12", "--", logFile().toString())
                    .timeout(Duration.ofSeconds(30)).build()).stdout().lines().toList();
        } catch (RuntimeException viaLauncher) {
            try {
                lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
        return ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size()));
    }

    private void pgCtlStop(String mode) {
        runner.run(ToolCommand.builder("pg_ctl", pgCtl)
                .arg("-D", dataDirectory.toString(), "-m", mode, "-w", "-t", "60", "stop")
                .timeout(Duration.ofSeconds(90)).build());
    }

    /** Stops the copy. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "RunningCopy[" + dataDirectory + " on port " + port + (running ? "" : ", stopped") + "]";
    }
}
