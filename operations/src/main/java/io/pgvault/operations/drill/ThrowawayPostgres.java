package io.pgvault.operations.drill;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.Secret;
import io.pgvault.spi.postgres.ServerBinaries;
import io.pgvault.spi.postgres.ServerDirectory;
import io.pgvault.spi.postgres.ThrowawayServer;
import io.pgvault.spi.process.ProcessRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A drill's {@link ThrowawayServer}: SCRAM authentication with a random password made for this server alone (on
 * loopback and on the socket: no other local user or container in the network namespace can connect), reached over
 * JDBC. A logical drill's server gets it from initdb; a physical drill's restored copy brings production's roles and
 * pg_hba.conf, so it runs with pgvault's own hba and ident files and gets the password over its socket before it
 * accepts anyone else ({@link #startRestored}). The server itself (private directory, initdb, pg_ctl, removal) is
 * core's; what is here is what only a drill needs: the password, connections, and waiting for a restored copy to leave
 * recovery.
 */
final class ThrowawayPostgres implements AutoCloseable {
    static final String HOST = ThrowawayServer.HOST;
    static final String SUPERUSER = "postgres";
    static final String PREFIX = "pgvault-drill-";
    private static final Logger LOG = LoggerFactory.getLogger(ThrowawayPostgres.class);
    private static final int PORT_ATTEMPTS = 5;

    private final ThrowawayServer server;
    /** The role the drill connects as: {@value #SUPERUSER}, or a restored copy's bootstrap superuser. */
    private String superuser = SUPERUSER;
    /** The superuser's password, random per server; it reaches initdb through a 0600 file and clients in memory. */
    private final Secret password = randomPassword();
    private int port;
    private boolean running;

    private ThrowawayPostgres(ThrowawayServer server) {
        this.server = server;
    }

    /** @return whether this JVM runs as root (PostgreSQL refuses root: the server must run as another user) */
    static boolean isRoot() {
        return ThrowawayServer.isRoot();
    }

    /**
     * Checks a work directory before anything is created in it.
     *
     * @return problems, empty when fine
     */
    static List<String> checkWorkDirectory(Path base) {
        return ThrowawayServer.checkBaseDirectory(base, PREFIX).stream().map(p -> "work " + p).toList();
    }

    /**
     * Stops and removes the servers of drills whose process was killed (see {@link ThrowawayServer#sweepLeftovers}).
     *
     * @param osUser OS user the servers ran as, when not this process's own
     * @param base   the work directory
     * @return the directories removed
     */
    static List<Path> sweepLeftovers(Optional<String> osUser, Path base) {
        return ThrowawayServer.sweepLeftovers(base, PREFIX, osUser);
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
    static ThrowawayPostgres create(ServerBinaries binaries, Optional<String> osUser, Path base) {
        return create(binaries, osUser, base, ServerDirectory.Creation.choose(osUser, isRoot()));
    }

    /** As {@link #create(ServerBinaries, Optional, Path)}, with who makes the directory chosen by the caller. */
    static ThrowawayPostgres create(ServerBinaries binaries, Optional<String> osUser, Path base,
            ServerDirectory.Creation creation) {
        return new ThrowawayPostgres(ThrowawayServer.builder(binaries).osUser(osUser).baseDirectory(base)
                .prefix(PREFIX).creation(creation).create());
    }

    Path directory() {
        return server.directory();
    }

    Path dataDirectory() {
        return server.dataDirectory();
    }

    int port() {
        return port;
    }

    ServerBinaries binaries() {
        return server.binaries();
    }

    /** @return runs tools as the server's OS user (pgBackRest restores must write files the server can read) */
    ProcessRunner serverRunner() {
        return server.serverRunner();
    }

    Optional<String> osUser() {
        return server.osUser();
    }

    /**
     * Creates an empty cluster, SCRAM for every connection, and appends {@code conf} to its postgresql.conf.
     *
     * @param locale initdb's {@code --locale}
     * @param conf   settings lines
     */
    void initdb(String locale, List<String> conf) {
        server.initdb(SUPERUSER, Optional.of(password), locale, conf);
    }

    private static Secret randomPassword() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return Secret.of(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /**
     * Starts the server on a free port (another one when it is taken first), listening on 127.0.0.1 and a 0700
     * socket in its own directory only.
     *
     * @param extraOptions further {@code name=value} options, plain characters only
     * @param timeout      how long pg_ctl waits
     */
    void start(List<String> extraOptions, Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            port = ThrowawayServer.freePort();
            try {
                if (server.start(port, timeout, extraOptions, attempt < PORT_ATTEMPTS)) {
                    running = true;
                    LOG.info("throwaway PostgreSQL {} started in {} on {}:{}", server.binaries().version(),
                            directory(), HOST, port);
                    return;
                }
            } catch (PgVaultException e) {
                running = server.pid().isPresent();
                throw e;
            }
        }
    }

    /**
     * Starts a data directory restored from a physical backup privately and waits until it is out of recovery.
     *
     * <p>A restored copy brings production's roles, passwords and (when it lives in PGDATA) pg_hba.conf: a
     * production {@code host ... 127.0.0.1/32 trust} would make every local user superuser on the copy, and a SCRAM
     * production would keep the drill out. So the copy runs with pgvault's own {@code hba_file} and
     * {@code ident_file} in the server's 0700 directory, given on the command line where restored settings cannot
     * override them. At first they admit only the server's OS user over the 0700 socket ({@code peer}, mapped to
     * the roles in {@code loginRoles}); as that user, psql waits for recovery to end and gives the bootstrap superuser
     * (oid 10, whatever its name) the drill's random password, as a SCRAM verifier. Then the rules become that
     * superuser with SCRAM on {@value #HOST} (and the socket as before), the server reloads them, and the drill
     * connects over JDBC like a logical drill.
     *
     * @param options    further {@code name=value} options, plain characters only
     * @param timeout    how long to wait for the start and for recovery to end
     * @param loginRoles roles of the copy the server's OS user may log in as over the socket to set the password
     *                   (the stanza's connection user, the OS user's name); the first that logs in is used
     * @return when it first answered out of recovery ({@link System#nanoTime()})
     */
    long startRestored(List<String> options, Duration timeout, List<String> loginRoles) {
        String osUser = server.osUser().orElseGet(() -> System.getProperty("user.name"));
        List<String> roles = java.util.stream.Stream.concat(loginRoles.stream(), java.util.stream.Stream.of(osUser,
                SUPERUSER)).distinct().toList();
        Path hba = directory().resolve("drill_hba.conf");
        Path ident = directory().resolve("drill_ident.conf");
        StringBuilder map = new StringBuilder("# pgvault drill: the server's OS user may log in as these roles\n");
        for (String role : roles) {
            map.append("drill ").append(hbaName(osUser)).append(' ').append(hbaName(role)).append('\n');
        }
        String local = "local all all peer map=drill\n";
        server.files().replace(ident, map.toString());
        server.files().replace(hba, "# pgvault drill, until the password is set: the server's OS user only\n" + local);
        List<String> all = new java.util.ArrayList<>(options);
        all.add("hba_file=" + hba);
        all.add("ident_file=" + ident);
        // a restored postgresql.conf may name another data_directory (another cluster of the same OS user)
        all.add("data_directory=" + dataDirectory());
        start(all, timeout);

        SocketPsql psql = SocketPsql.await(this, roles, timeout);
        long answered = System.nanoTime();
        // hex, so that spaces at either end of a crafted name survive psql's output as they are
        superuser = hexToUtf8(psql.run("SELECT encode(convert_to(rolname, 'UTF8'), 'hex') FROM pg_catalog.pg_roles"
                + " WHERE oid = 10").strip());
        if (!hbaSafe(superuser)) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "the restored copy's bootstrap superuser has a name the"
                    + " drill cannot write into pg_hba.conf: '" + superuser + "'");
        }
        // a verifier, not the password: a restored log_statement = all logs this statement
        psql.run("DO $pgvault$ BEGIN EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L VALID UNTIL %L',"
                + " (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = 10), '" + ScramVerifier.of(password)
                + "', 'infinity'); END $pgvault$");
        server.files().replace(hba, "# pgvault drill: its superuser with its random password, and the server's OS"
                + " user\n" + local + "host all " + hbaName(superuser) + " " + HOST + "/32 scram-sha-256\n");
        psql.run("SELECT pg_catalog.pg_reload_conf()");
        awaitAnswering("postgres", timeout); // the reload takes effect a moment later
        LOG.debug("restored copy in {} private: only {} with the drill's password on {}", directory(), superuser, HOST);
        return answered;
    }

    private static String hexToUtf8(String hex) {
        try {
            return new String(java.util.HexFormat.of().parseHex(hex), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "unexpected answer for the bootstrap superuser's name");
        }
    }

    /**
     * @return whether the name means exactly one role or user in pg_hba.conf / pg_ident.conf, double-quoted: not
     *         empty, no quote (no escape exists), no control character, and no leading '/' (PostgreSQL 16+ reads that
     *         as a regular expression, quoted or not: "/.*" admits every role)
     */
    private static boolean hbaSafe(String name) {
        return !name.isEmpty() && !name.startsWith("/") && !name.contains("\"")
                && name.chars().noneMatch(Character::isISOControl);
    }

    /** @return the name double-quoted for pg_hba.conf / pg_ident.conf, which have no escape for a quote */
    static String hbaName(String name) {
        if (!hbaSafe(name)) {
            throw new IllegalArgumentException("role or user name '" + name + "' cannot be written into pg_hba.conf");
        }
        return "\"" + name + "\"";
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
                        + "; server log: " + server.logTail(1500));
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
        return PgConnection.builder().host(HOST).port(port).user(superuser).password(password).database(database)
                .binDir(server.binaries().binDir()).build();
    }

    /** @return a JDBC connection to a database of this server, autocommit */
    Connection jdbc(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", superuser);
        props.setProperty("password", password.reveal());
        props.setProperty("ApplicationName", "pgvault-drill");
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20"), props);
    }

    ThrowawayServer server() {
        return server;
    }

    /** @return the tail of the server log, for a report */
    String logTail(int max) {
        return server.logTail(max);
    }

    /**
     * Stops the server and removes the directory.
     *
     * @throws PgVaultException when the directory cannot be removed (the server is stopped in any case)
     */
    @Override
    public void close() {
        if (running || server.pid().isPresent()) {
            server.stop();
            running = false;
        }
        server.close();
        LOG.info("throwaway PostgreSQL in {} removed", directory());
    }

    @Override
    public String toString() {
        return "throwaway PostgreSQL " + server.binaries().version() + " on " + HOST + ":" + port;
    }
}
