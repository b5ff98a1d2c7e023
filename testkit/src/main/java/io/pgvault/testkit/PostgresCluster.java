package io.pgvault.testkit;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.postgres.ThrowawayServer;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A throwaway PostgreSQL cluster for tests, made with the local server binaries ({@code initdb}, {@code pg_ctl}) in
 * a directory of its own and listening on a free port of {@code 127.0.0.1}. Clients reach it over TCP as the
 * superuser {@code postgres} without a password ({@code trust}). When the JVM runs as root, the server runs as the
 * unprivileged OS user {@code postgres}, because PostgreSQL refuses to run as root.
 *
 * <pre>{@code
 * try (PostgresCluster pg = PostgresCluster.builder().start()) {
 *     pg.createDatabase("shop");
 *     pg.psql("shop", "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
 *     List<List<String>> rows = pg.query("shop", "SELECT id FROM t");
 *     PgConnection conn = pg.connection("shop"); // hand this to pgvault
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server and deletes the directory; clusters still open when the JVM exits are stopped
 * and deleted by a shutdown hook. Instances are thread-safe.
 *
 * <p>The server itself (its private 0700 directory, {@code initdb}, {@code pg_ctl}, removal) is core's
 * {@link io.pgvault.spi.postgres.ThrowawayServer}, the same one restore drills run; this class adds what tests need:
 * {@code trust} authentication, fast settings, a fixed port, restarts, psql helpers and the shutdown hook.
 *
 * @since 0.1.0
 */
public final class PostgresCluster implements AutoCloseable {
    /**
     * The superuser role every cluster is initialised with.
     *
     * @since 0.1.0
     */
    public static final String SUPERUSER = "postgres";
    /**
     * The address every cluster listens on.
     *
     * @since 0.1.0
     */
    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCluster.class);
    private static final int MIN_MAJOR_VERSION = 13;
    private static final int PORT_ATTEMPTS = 5;
    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(30);
    private static final Set<PostgresCluster> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(PostgresCluster::closeAtExit),
                "pgvault-cluster-reaper"));
    }

    private enum State { NEW, STOPPED, RUNNING, CLOSED }

    private final ClusterBinaries binaries;
    private final Optional<String> osUser;
    private final ProcessRunner server;
    private final Path baseDirectory;
    private final List<String> confLines;
    private final boolean fixedPort;
    private final Duration startTimeout;
    private final Path existingDataDirectory;
    private volatile int port;
    private volatile ThrowawayServer throwaway;
    private volatile State state = State.NEW;

    private PostgresCluster(Builder b, ClusterBinaries binaries) {
        this.binaries = binaries;
        this.osUser = b.osUser != null ? Optional.of(b.osUser) : isRoot() ? Optional.of(SUPERUSER) : Optional.empty();
        this.server = new ProcessRunner(osUser.map(Launcher::asUser).orElseGet(Launcher::local));
        this.baseDirectory = b.baseDirectory;
        this.confLines = List.copyOf(b.confLines);
        this.fixedPort = b.port != 0;
        this.port = b.port;
        this.startTimeout = b.startTimeout;
        this.existingDataDirectory = b.existingDataDirectory;
    }

    /**
     * @return a builder with the defaults: binaries found automatically, a free port, the server as OS user
     *         {@code postgres} when this JVM is root
     * @since 0.1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the cluster on first use ({@code initdb}), then starts the server and waits until it accepts
     * connections. Starting a running cluster does nothing. When the port was chosen automatically and another
     * process takes it first, a new free port is chosen.
     *
     * @return this cluster
     * @throws ToolException when initdb or pg_ctl fails; the message quotes the server log
     * @since 0.1.0
     */
    public synchronized PostgresCluster start() {
        requireNotClosed();
        if (state == State.RUNNING) {
            return this;
        }
        if (state == State.NEW) {
            OPEN.add(this);
            ThrowawayServer.Builder b = ThrowawayServer.builder(binaries.server()).osUser(osUser)
                    .baseDirectory(baseDirectory).prefix("pgvault-pg-");
            if (existingDataDirectory != null) {
                b.existingDataDirectory(existingDataDirectory);
            }
            throwaway = b.create();
            try {
                if (existingDataDirectory == null) {
                    List<String> conf = new ArrayList<>(testkitSettings(throwaway.directory()));
                    conf.addAll(confLines);
                    throwaway.initdb(SUPERUSER, Optional.empty(), "C.UTF-8", conf);
                } else if (!confLines.isEmpty()) {
                    throwaway.appendConf(confLines);
                }
            } catch (RuntimeException e) {
                try {
                    deleteDirectory();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throwaway = null;
                throw e;
            }
            state = State.STOPPED;
        }
        for (int attempt = 1; ; attempt++) {
            if (!fixedPort && (port == 0 || attempt > 1)) {
                port = ThrowawayServer.freePort();
            }
            if (throwaway.start(port, startTimeout, List.of(), !fixedPort && attempt < PORT_ATTEMPTS)) {
                state = State.RUNNING;
                return this;
            }
        }
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}, bounded to 30 s, then {@code -m immediate}, then a kill). Its
     * data stays; {@link #start()} starts it again on the same port.
     *
     * @since 0.1.0
     */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        try {
            throwaway.stop();
        } finally {
            state = State.STOPPED;
        }
    }

    /**
     * Stops and starts the server, e.g. after {@link #configure(String...)}.
     *
     * @since 0.1.0
     */
    public synchronized void restart() {
        stop();
        start();
    }

    /**
     * Appends lines to {@code postgresql.conf}; later lines win over earlier ones. They take effect on the next
     * {@link #start()} or {@link #restart()} (or {@code SELECT pg_reload_conf()} for reloadable settings).
     *
     * @param lines settings, e.g. {@code "wal_level = replica"}
     * @since 0.1.0
     */
    public synchronized void configure(String... lines) {
        requireNotClosed();
        if (state == State.NEW) {
            throw new IllegalStateException("start the cluster before configuring it, or use Builder#conf");
        }
        throwaway.appendConf(List.of(lines));
    }

    /**
     * Stops the server and deletes the cluster's directory. Never throws for a cluster that was never started.
     *
     * @throws PgVaultException when the server could not be stopped or the directory not deleted
     * @since 0.1.0
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            stop();
        } finally {
            state = State.CLOSED;
            OPEN.remove(this);
            deleteDirectory();
        }
    }

    /**
     * @return whether the server has been started and not stopped since
     * @since 0.1.0
     */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Waits until the server has left recovery ({@code select pg_is_in_recovery()} is false): {@code pg_ctl start -w}
     * returns as soon as a server accepts connections, which for a restored copy is before point-in-time recovery
     * has reached its target and promoted.
     *
     * @param timeout how long to wait
     * @return this cluster
     * @throws PgVaultException (TIMEOUT) when it is still in recovery after {@code timeout}, quoting the server log
     * @since 0.1.0
     */
    public PostgresCluster awaitRecoveryEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if ("f".equals(queryValue("postgres", "SELECT pg_is_in_recovery()"))) {
                    return this;
                }
            } catch (ToolException e) {
                LOG.debug("{} not queryable yet: {}", this, e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new PgVaultException(ErrorCode.TIMEOUT, this + " is still in recovery after " + timeout
                        + "; see " + logFile());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted waiting for " + this, e);
            }
        }
    }

    /**
     * @return {@value #HOST}
     * @since 0.1.0
     */
    public String host() {
        return HOST;
    }

    /**
     * @return the TCP port; 0 until first started with an automatic port
     * @since 0.1.0
     */
    public int port() {
        return port;
    }

    /**
     * @return the superuser role clients connect as, {@value #SUPERUSER}
     * @since 0.1.0
     */
    public String user() {
        return SUPERUSER;
    }

    /**
     * @return the directory of the server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}); for Debian's
     *         packages also of the clients, see {@link #clientBinDir()}
     * @since 0.1.0
     */
    public Path binDir() {
        return binaries.binDir();
    }

    /**
     * @return the directory of the client programs ({@code psql}, {@code pg_dump}) this cluster's helpers and
     *         {@link #connection()} use: {@link #binDir()} when it has {@code psql}, else the system's (server-only
     *         builds such as the extracted PostgreSQL 16 and 17 carry no clients; psql 15 answers their queries, while
     *         pg_dump 15 refuses a newer server)
     * @since 0.6.0
     */
    public Path clientBinDir() {
        return binaries.clientBinDir();
    }

    /**
     * Says whether server binaries of a major version can be found, for tests that skip (with this reason) rather
     * than fail where they are genuinely absent.
     *
     * @param major a major version, e.g. 17
     * @return empty when {@code builder().requireMajorVersion(major)} finds binaries; else why not (what was looked at
     *         and how to install them)
     * @since 0.6.0
     */
    public static Optional<String> whyUnavailable(int major) {
        try {
            ClusterBinaries.locate(Optional.empty(), major);
            return Optional.empty();
        } catch (ToolException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The client programs ({@code pg_dump}, {@code pg_restore}, {@code psql}) that come with a major version's server
     * binaries, in a place every user can reach: for dumping an older server with a newer pg_dump, as users do.
     *
     * @param major a major version, e.g. 17
     * @return the directory of that version's clients
     * @throws ToolException (TOOL_MISSING) when that version's binaries are not installed, or carry no clients
     * @since 0.6.0
     */
    public static Path clientsOf(int major) {
        ClusterBinaries binaries = ClusterBinaries.locate(Optional.empty(), major).reachableByAll();
        if (!binaries.clientBinDir().equals(binaries.binDir())) {
            throw new ToolException(ErrorCode.TOOL_MISSING, "pg_dump", null, "", "the PostgreSQL " + major
                    + " binaries in " + binaries.binDir() + " carry no client programs", null);
        }
        return binaries.clientBinDir();
    }

    /**
     * @return the server version, e.g. {@code 15.14}
     * @since 0.1.0
     */
    public String version() {
        return binaries.version();
    }

    /**
     * @return the server's major version, e.g. 15
     * @since 0.1.0
     */
    public int majorVersion() {
        return binaries.majorVersion();
    }

    /**
     * @return the OS user the server runs as, when it is not this process's own user
     * @since 0.1.0
     */
    public Optional<String> osUser() {
        return osUser;
    }

    /**
     * @return how to run a tool as the server's OS user, e.g. {@code pgbackrest}, which must write files the server
     *         can read
     * @since 0.1.0
     */
    public Launcher serverLauncher() {
        return server.launcher();
    }

    /**
     * @return the cluster's own directory, holding the data directory, the Unix socket and the log
     * @since 0.1.0
     */
    public Path directory() {
        requireCreated();
        return throwaway.directory();
    }

    /**
     * @return the data directory ({@code PGDATA})
     * @since 0.1.0
     */
    public Path dataDirectory() {
        requireCreated();
        return throwaway.dataDirectory();
    }

    /**
     * @return the directory of the server's Unix socket ({@code unix_socket_directories})
     * @since 0.1.0
     */
    public Path socketDirectory() {
        return directory();
    }

    /**
     * @return the server log
     * @since 0.1.0
     */
    public Path logFile() {
        requireCreated();
        return throwaway.logFile();
    }

    /**
     * @return the process id of the running server (from {@code postmaster.pid}), if it runs
     * @since 0.1.0
     */
    public OptionalLong serverPid() {
        ThrowawayServer t = throwaway;
        return t == null ? OptionalLong.empty() : t.pid();
    }

    /**
     * @return a connection to database {@code postgres} over TCP as the superuser, with this cluster's client
     *         binaries
     * @since 0.1.0
     */
    public PgConnection connection() {
        return connection("postgres");
    }

    /**
     * @param database a database of this cluster
     * @return a connection to it over TCP as the superuser, with this cluster's client binaries
     * @since 0.1.0
     */
    public PgConnection connection(String database) {
        requireRunning();
        return PgConnection.builder().host(HOST).port(port).user(SUPERUSER).database(database)
                .binDir(binaries.clientBinDir()).build();
    }

    /**
     * Runs SQL with {@code psql -X -v ON_ERROR_STOP=1} fed on standard input: several statements and psql
     * meta-commands are fine; it stops at the first error. Statements run in autocommit mode unless the script says
     * {@code BEGIN}.
     *
     * @param database database to run in
     * @param sql      the script
     * @return psql's unaligned output: rows terminated by NUL, fields separated by U+001F (see {@link #query})
     * @throws ToolException on the first SQL error, quoting it
     * @since 0.1.0
     */
    public String psql(String database, String sql) {
        requireRunning();
        return new Psql(binaries.clientTool("psql"), HOST, port, SUPERUSER).run(database, sql, QUERY_TIMEOUT);
    }

    /**
     * Runs SQL and returns the rows of every result it produced, in order. Values are PostgreSQL's text output;
     * SQL {@code NULL} is {@code null}. Values may contain newlines but not U+001F.
     *
     * @param database database to run in
     * @param sql      one or more statements
     * @return the rows, each a list of column values
     * @throws ToolException on the first SQL error
     * @since 0.1.0
     */
    public List<List<String>> query(String database, String sql) {
        return Psql.parseRows(psql(database, sql));
    }

    /**
     * @param database database to run in
     * @param sql      a query returning at least one row
     * @return the first column of the first row ({@code null} for SQL NULL)
     * @throws PgVaultException when the query returned no row
     * @since 0.1.0
     */
    public String queryValue(String database, String sql) {
        List<List<String>> rows = query(database, sql);
        if (rows.isEmpty()) {
            throw new PgVaultException(ErrorCode.NOT_FOUND, "query returned no row: " + sql);
        }
        return rows.get(0).get(0);
    }

    /**
     * Creates a database; any name PostgreSQL accepts works (unicode, spaces, quotes), up to 63 bytes of UTF-8.
     *
     * @param name the database's name, unquoted
     * @return a connection to it
     * @since 0.1.0
     */
    public PgConnection createDatabase(String name) {
        psql("postgres", "CREATE DATABASE " + quoteIdentifier(name));
        return connection(name);
    }

    /**
     * Drops a database if it exists, disconnecting its sessions first.
     *
     * @param name the database's name, unquoted
     * @since 0.1.0
     */
    public void dropDatabase(String name) {
        psql("postgres", "DROP DATABASE IF EXISTS " + quoteIdentifier(name) + " WITH (FORCE)");
    }

    /**
     * @param name a database name, unquoted
     * @return whether this cluster has a database of exactly that name
     * @since 0.1.0
     */
    public boolean databaseExists(String name) {
        return "1".equals(queryValue("postgres",
                "SELECT count(*) FROM pg_database WHERE datname = " + quoteLiteral(name)));
    }

    /**
     * Quotes an SQL identifier, always: {@code a"b} becomes {@code "a""b"}.
     *
     * @param name an identifier (schema, table, database, role ...), at most 63 bytes of UTF-8, no NUL
     * @return it as a quoted identifier
     * @throws ConfigurationException when PostgreSQL would reject or silently truncate it
     * @since 0.1.0
     */
    public static String quoteIdentifier(String name) {
        Objects.requireNonNull(name, "identifier");
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new ConfigurationException("not a valid SQL identifier: '" + name + "'");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw new ConfigurationException("identifier longer than 63 bytes would be truncated: '" + name + "'");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * Quotes an SQL string literal for a server with {@code standard_conforming_strings = on} (the default).
     *
     * @param value any text without NUL
     * @return it as a string literal: {@code it's} becomes {@code 'it''s'}
     * @since 0.1.0
     */
    public static String quoteLiteral(String value) {
        Objects.requireNonNull(value, "literal");
        if (value.indexOf('\0') >= 0) {
            throw new ConfigurationException("PostgreSQL text cannot contain NUL");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + binaries.version() + " " + HOST + ":" + port + ", " + state.name().toLowerCase()
                + (throwaway == null ? "" : ", " + throwaway.directory()) + osUser.map(u -> ", as " + u).orElse("") + "]";
    }

    private void deleteDirectory() {
        ThrowawayServer t = throwaway;
        if (t != null) {
            t.close(); // stopped already: removes its directory, as the server's user where only it can
        }
    }

    /** The test kit's settings, before the caller's: a throwaway cluster, fast rather than durable. */
    private static List<String> testkitSettings(Path directory) {
        return List.of(
                "# pgvault testkit: a throwaway cluster, fast rather than durable",
                // also on pg_ctl's command line; here for a server a test starts by hand
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = " + quoteLiteral(directory.toString()),
                "fsync = off",
                "synchronous_commit = off",
                "shared_buffers = 32MB",
                "max_connections = 50",
                "max_wal_size = 2GB",
                "lc_messages = 'C'",
                "log_min_messages = warning",
                "log_line_prefix = '%m [%p] '");
    }

    private static void closeAtExit(PostgresCluster cluster) {
        try {
            synchronized (cluster) {
                if (cluster.state == State.RUNNING) {
                    cluster.throwaway.stopImmediately();
                    cluster.state = State.STOPPED;
                }
            }
            cluster.close();
        } catch (RuntimeException e) {
            LOG.warn("cannot clean up {} at exit: {}", cluster, e.getMessage());
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void requireNotClosed() {
        if (state == State.CLOSED) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void requireCreated() {
        if (throwaway == null) {
            throw new IllegalStateException(this + " has not been started yet");
        }
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException(this + " is not running");
        }
    }

    /**
     * Configures a {@link PostgresCluster}. {@link #build()} finds the binaries and checks their version, reporting
     * missing binaries with the command that installs them.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private Path binDir;
        private int requiredMajorVersion;
        private int port;
        private final List<String> confLines = new ArrayList<>();
        private String osUser;
        private Path baseDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private Duration startTimeout = Duration.ofSeconds(60);
        private Path existingDataDirectory;

        private Builder() {
        }

        /**
         * Runs the server on an existing data directory instead of creating one with initdb, e.g. a copy restored by
         * pgBackRest: it starts on this cluster's own port, socket directory and log (its postgresql.conf may name
         * another cluster's), listening on {@value PostgresCluster#HOST}. The data directory must belong to the
         * server's OS user. {@link PostgresCluster#close()} deletes it along with the cluster's own directory.
         *
         * @param dataDirectory an existing data directory; default none: initdb makes a new one
         * @return this
         * @since 0.1.0
         */
        public Builder existingDataDirectory(Path dataDirectory) {
            this.existingDataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory").toAbsolutePath();
            return this;
        }

        /**
         * @param binDir directory of {@code initdb}, {@code pg_ctl}, {@code postgres} (and {@code psql}, else the
         *               system's is used); default: the system property {@code pgvault.postgres.bindir}, the
         *               environment variable {@code PGVAULT_POSTGRES_BINDIR}, for {@link #requireMajorVersion(int)}
         *               N {@code /usr/lib/postgresql/N/bin} and {@code $PGVAULT_TOOLS/postgresql-N.*}/bin (where
         *               {@code scripts/install-packages} extracts PostgreSQL 16 and 17 servers; default
         *               {@code ~/.cache/pgvault}), {@code /usr/lib/postgresql/15/bin}, then
         *               {@code pg_config --bindir}: the first that holds a server of the required version
         * @return this
         * @since 0.1.0
         */
        public Builder binDir(Path binDir) {
            this.binDir = Objects.requireNonNull(binDir, "binDir");
            return this;
        }

        /**
         * @param major the major version the binaries must have, e.g. 15, which also directs the search (see
         *              {@link #binDir(Path)}); default: any from 13 on
         * @return this
         * @since 0.1.0
         */
        public Builder requireMajorVersion(int major) {
            this.requiredMajorVersion = major;
            return this;
        }

        /**
         * @param port a fixed TCP port; default 0: a free port, chosen again if it is taken before the server binds it
         * @return this
         * @since 0.1.0
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Appends lines to {@code postgresql.conf} after the testkit's own settings ({@code fsync = off}, a small
         * {@code shared_buffers}, ...), which they therefore override; e.g. {@code wal_level = replica},
         * {@code archive_mode = on}, {@code archive_command = '...'}. Default: none.
         *
         * @param lines settings
         * @return this
         * @since 0.1.0
         */
        public Builder conf(String... lines) {
            confLines.addAll(List.of(lines));
            return this;
        }

        /**
         * @param osUser the OS user to run {@code initdb} and the server as ({@code runuser} as root, else
         *               {@code sudo -n}); default {@code postgres} when this JVM runs as root, else this JVM's user
         * @return this
         * @since 0.1.0
         */
        public Builder osUser(String osUser) {
            this.osUser = Objects.requireNonNull(osUser, "osUser");
            return this;
        }

        /**
         * @param baseDirectory where the cluster's directory is created; the server's OS user must be able to enter
         *                      every parent (so not JUnit's 0700 {@code @TempDir}); default {@code java.io.tmpdir}
         * @return this
         * @since 0.1.0
         */
        public Builder baseDirectory(Path baseDirectory) {
            this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
            return this;
        }

        /**
         * @param startTimeout how long {@code pg_ctl start} may wait for the server to accept connections; default
         *                     60 s
         * @return this
         * @since 0.1.0
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /**
         * Finds and checks the binaries; creates nothing yet.
         *
         * @return a cluster that {@link PostgresCluster#start()} creates and starts
         * @throws ToolException (TOOL_MISSING) when the server binaries are missing; the message names the
         *                       {@code apt-get install} command
         * @throws ConfigurationException when a setting is invalid or the version does not match
         * @since 0.1.0
         */
        public PostgresCluster build() {
            List<String> problems = new ArrayList<>();
            if (port < 0 || port > 65535) {
                problems.add("port must be 0 (automatic) or 1..65535, was " + port);
            }
            if (startTimeout.getSeconds() < 1) {
                problems.add("startTimeout must be at least one second, was " + startTimeout);
            }
            confLines.stream().filter(l -> l.contains("\n") || l.contains("\r")).findFirst()
                    .ifPresent(l -> problems.add("a conf line must be a single line: '" + l + "'"));
            ConfigurationException.throwIfAny(problems);
            ClusterBinaries binaries = ClusterBinaries.locate(Optional.ofNullable(binDir), requiredMajorVersion);
            if (requiredMajorVersion != 0 && binaries.majorVersion() != requiredMajorVersion) {
                problems.add("PostgreSQL " + requiredMajorVersion + " required, but " + binaries.binDir() + " holds "
                        + binaries.version());
            } else if (binaries.majorVersion() < MIN_MAJOR_VERSION) {
                problems.add("PostgreSQL " + MIN_MAJOR_VERSION + " or later required, but " + binaries.binDir()
                        + " holds " + binaries.version());
            }
            ConfigurationException.throwIfAny(problems);
            if (osUser != null || isRoot()) {
                binaries = binaries.reachableByAll();
            }
            return new PostgresCluster(this, binaries);
        }

        /**
         * @return a new cluster, started
         * @since 0.1.0
         */
        public PostgresCluster start() {
            PostgresCluster cluster = build();
            try {
                return cluster.start();
            } catch (RuntimeException e) {
                try {
                    cluster.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }
}
