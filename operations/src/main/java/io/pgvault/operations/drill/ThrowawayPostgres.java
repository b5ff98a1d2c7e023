package io.pgvault.operations.drill;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.Secret;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.postgres.ServerDirectory;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server that exists for one drill: a private directory (data directory, Unix socket, log) under the
 * work directory, a free port of 127.0.0.1, SCRAM authentication with a random password made for this server alone
 * (on loopback and on the socket: no other local user or container in the network namespace can connect), the
 * server run as the configured OS user through the {@link ProcessRunner}. {@link #close()} stops
 * it (fast, then immediate, then a kill) and removes the directory.
 */
final class ThrowawayPostgres implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final String SUPERUSER = "postgres";
    private static final Logger LOG = LoggerFactory.getLogger(ThrowawayPostgres.class);
    /** Unix socket paths are limited to 107 bytes; {@code /.s.PGSQL.NNNNN} takes 16 of them. */
    private static final int MAX_DIR_LENGTH = 90;
    /** The directory reaches pg_ctl's {@code -o}, which a shell parses: only plain characters. */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9/._-]+");
    private static final int PORT_ATTEMPTS = 5;

    private final PostgresBinaries binaries;
    private final ProcessRunner server;
    private final Optional<String> osUser;
    private final ServerDirectory files;
    private final Path directory;
    /** The superuser's password, random per server; it reaches initdb on standard input and clients in memory. */
    private final Secret password = randomPassword();
    private int port;
    private boolean running;

    private ThrowawayPostgres(PostgresBinaries binaries, Optional<String> osUser, ProcessRunner server,
            ServerDirectory files) {
        this.binaries = binaries;
        this.osUser = osUser;
        this.server = server;
        this.files = files;
        this.directory = files.path();
    }

    /** @return whether this JVM runs as root (PostgreSQL refuses root: the server must run as another user) */
    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Checks a work directory before anything is created in it.
     *
     * @return problems, empty when fine
     */
    static List<String> checkWorkDirectory(Path base) {
        List<String> problems = new ArrayList<>();
        String abs = base.toAbsolutePath().normalize().toString();
        if (!PLAIN_PATH.matcher(abs).matches()) {
            problems.add("work directory " + abs + " may hold only letters, digits and / . _ - (it reaches pg_ctl"
                    + " through a shell)");
        }
        if (abs.length() + "/pgvault-drill-0000000000000000000".length() > MAX_DIR_LENGTH) {
            problems.add("work directory " + abs + " is too long for a Unix socket path; choose a shorter one");
        }
        return problems;
    }

    /**
     * Creates the private directory (0700, the server's OS user's; see {@link ServerDirectory}).
     *
     * @param binaries server binaries
     * @param osUser   OS user the server runs as, when not this process's own
     * @param base     work directory to create it in
     * @return the (not yet initialised) server
     * @throws PgVaultException when the directory cannot be made privately (never a world-writable one instead)
     */
    static ThrowawayPostgres create(PostgresBinaries binaries, Optional<String> osUser, Path base) {
        return create(binaries, osUser, base, ServerDirectory.Creation.choose(osUser, isRoot()));
    }

    /** As {@link #create(PostgresBinaries, Optional, Path)}, with who makes the directory chosen by the caller. */
    static ThrowawayPostgres create(PostgresBinaries binaries, Optional<String> osUser, Path base,
            ServerDirectory.Creation creation) {
        ProcessRunner server = new ProcessRunner(osUser.map(Launcher::asUser).orElseGet(Launcher::local));
        ServerDirectory files = ServerDirectory.create(base, "pgvault-drill-", osUser, creation, server);
        return new ThrowawayPostgres(binaries, osUser, server, files);
    }

    Path directory() {
        return directory;
    }

    Path dataDirectory() {
        return directory.resolve("data");
    }

    Path logFile() {
        return directory.resolve("postgres.log");
    }

    int port() {
        return port;
    }

    PostgresBinaries binaries() {
        return binaries;
    }

    /** @return runs tools as the server's OS user (pgBackRest restores must write files the server can read) */
    ProcessRunner serverRunner() {
        return server;
    }

    Optional<String> osUser() {
        return osUser;
    }

    /**
     * Creates an empty cluster and appends {@code conf} to its postgresql.conf.
     *
     * @param locale initdb's {@code --locale}
     * @param conf   settings lines
     */
    void initdb(String locale, List<String> conf) {
        // the password file is created by the server's own user, exclusively under an unpredictable name (mktemp:
        // O_EXCL, 0600), so nothing planted in the directory is followed or read; initdb reads it; it is removed
        ToolCommand write = ToolCommand.builder("sh", "/bin/sh")
                .arg("-c", "umask 077 && f=$(mktemp -- \"$1/pwfile.XXXXXXXXXX\") && cat > \"$f\" && echo \"$f\"",
                        "sh", directory.toString())
                .timeout(Duration.ofMinutes(1)).build();
        try {
            String pwfile;
            try (ToolProcess p = server.start(write)) {
                try (OutputStream in = p.stdin()) {
                    in.write((password.reveal() + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // sh stopped reading: its exit code says why
                }
                pwfile = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
                p.await();
            } catch (IOException e) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot write the drill server's password file: "
                        + e, e);
            }
            if (!pwfile.startsWith(directory + "/pwfile.") || pwfile.contains("\n")) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "unexpected password file name from mktemp: "
                        + pwfile);
            }
            server.run(ToolCommand.builder("initdb", binaries.tool("initdb"))
                    .arg("-D", dataDirectory().toString(), "-U", SUPERUSER, "--auth-local=scram-sha-256",
                            "--auth-host=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--locale=" + locale,
                            "-k", "--no-sync")
                    .workingDirectory(files.workingDirectory())
                    .timeout(Duration.ofMinutes(5))
                    .build());
        } finally { // whatever failed, no password file stays behind
            server.run(ToolCommand.builder("sh", "/bin/sh").arg("-c", "rm -f -- \"$1\"/pwfile.*", "sh",
                    directory.toString()).timeout(Duration.ofMinutes(1)).build());
        }
        appendConf(conf);
    }

    private static Secret randomPassword() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return Secret.of(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /** Appends settings to the data directory's postgresql.conf (later lines win). */
    void appendConf(List<String> lines) {
        files.append(dataDirectory().resolve("postgresql.conf"), "\n" + String.join("\n", lines) + "\n");
    }

    /**
     * Starts the server on a free port with {@code pg_ctl -w}, listening on 127.0.0.1 and a socket in its own
     * directory only. Address, socket and port go on the command line, so a restored copy's own settings cannot
     * make it listen elsewhere.
     *
     * @param extraOptions further {@code -c name=value} options, plain characters only
     * @param timeout      how long pg_ctl waits
     */
    void start(List<String> extraOptions, Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            long logOffset = files.size(logFile());
            StringBuilder opts = new StringBuilder("-p " + port + " -c listen_addresses=" + HOST
                    + " -c unix_socket_directories='" + directory + "' -c unix_socket_permissions=0700");
            extraOptions.forEach(o -> opts.append(" -c ").append(o));
            try {
                pgCtl(timeout.plusSeconds(15), "-l", logFile().toString(), "-w", "-t",
                        Long.toString(Math.max(1, timeout.toSeconds())), "-o", opts.toString(), "start");
                running = true;
                LOG.info("throwaway PostgreSQL {} started in {} on {}:{}", binaries.version(), directory, HOST, port);
                return;
            } catch (ToolException e) {
                String log = logSince(logOffset);
                if (log.contains("Address already in use") && attempt < PORT_ATTEMPTS) {
                    continue;
                }
                running = pid().isPresent();
                throw new ToolException(e.code(), "pg_ctl", e.exitCode().orElse(null), e.stderrTail(),
                        "the throwaway PostgreSQL in " + dataDirectory() + " did not start on port " + port + ": "
                                + e.getMessage() + "; server log: " + tail(log, 1500), e);
            }
        }
    }

    /**
     * Waits until the server accepts connections to {@code database} and is out of recovery.
     *
     * @return when it first answered ({@link System#nanoTime()})
     */
    long awaitAnswering(String database, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (true) {
            try (Connection c = jdbc(database); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return System.nanoTime();
                }
            } catch (SQLException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new PgVaultException(ErrorCode.TIMEOUT, "the restored server on port " + port + " did not"
                        + " answer out of recovery within " + timeout + (last == null ? "" : ": " + last.getMessage())
                        + "; server log: " + tail(logSince(0), 1500));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while waiting for the restored server",
                        e);
            }
        }
    }

    /** @return a libpq connection to a database of this server, with its binaries for the client tools */
    PgConnection connection(String database) {
        return PgConnection.builder().host(HOST).port(port).user(SUPERUSER).password(password).database(database)
                .binDir(binaries.binDir()).build();
    }

    /** @return a JDBC connection to a database of this server, autocommit */
    Connection jdbc(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", password.reveal());
        props.setProperty("ApplicationName", "pgvault-drill");
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20"), props);
    }

    /** @return the tail of the server log, for a report */
    String logTail(int max) {
        return tail(logSince(0), max);
    }

    /**
     * Stops the server and removes the directory.
     *
     * @throws PgVaultException when the directory cannot be removed (the server is stopped in any case)
     */
    @Override
    public void close() {
        if (running || pid().isPresent()) {
            stop();
        }
        files.delete();
        LOG.info("throwaway PostgreSQL in {} removed", directory);
    }

    private void stop() {
        try {
            pgCtl(Duration.ofSeconds(45), "-m", "fast", "-w", "-t", "30", "stop");
        } catch (PgVaultException e) {
            LOG.warn("fast shutdown of the drill server in {} failed ({}); shutting down immediately", directory,
                    e.getMessage());
            OptionalLong pid = pid();
            try {
                pgCtl(Duration.ofSeconds(20), "-m", "immediate", "-w", "-t", "10", "stop");
            } catch (PgVaultException again) {
                LOG.warn("immediate shutdown of the drill server in {} failed ({}); killing it", directory,
                        again.getMessage());
            }
            pid.ifPresent(p -> ProcessHandle.of(p).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
            }));
        }
        running = false;
    }

    private OptionalLong pid() {
        try {
            return files.firstLine(dataDirectory().resolve("postmaster.pid"))
                    .map(l -> OptionalLong.of(Long.parseLong(l))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private void pgCtl(Duration timeout, String... args) {
        server.run(ToolCommand.builder("pg_ctl", binaries.tool("pg_ctl"))
                .arg("-D", dataDirectory().toString())
                .arg(args)
                .workingDirectory(files.workingDirectory())
                .timeout(timeout)
                .build());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot find a free port on " + HOST + ": " + e, e);
        }
    }

    private String logSince(long offset) {
        try {
            String log = files.read(logFile(), offset, 64 * 1024);
            return log.isEmpty() && offset == 0 ? "(no server log)" : log;
        } catch (PgVaultException e) {
            return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }

    @Override
    public String toString() {
        return "throwaway PostgreSQL " + binaries.version() + " on " + HOST + ":" + port;
    }

    static void requirePlainOption(String option, List<String> problems) {
        if (!Pattern.matches("[A-Za-z0-9_.]+=[A-Za-z0-9_./:-]*", option)) {
            problems.add("server option '" + option + "' must be name=value with plain characters (it reaches pg_ctl"
                    + " through a shell)");
        }
    }
}
