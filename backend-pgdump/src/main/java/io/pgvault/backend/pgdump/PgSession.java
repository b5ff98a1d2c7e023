package io.pgvault.backend.pgdump;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.StderrListener;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import io.pgvault.spi.process.ToolResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL client tools aimed at one server for one operation: resolves binaries, sets the libpq environment,
 * owns the temporary pgpass file, and runs small SQL statements through {@code psql}. Every tool starts through the
 * context's {@link ProcessRunner}.
 */
final class PgSession implements AutoCloseable {
    /** Limit for short control statements (listing, CREATE/DROP/ALTER DATABASE). */
    private static final Duration CONTROL_TIMEOUT = Duration.ofMinutes(10);

    private final PgConnection connection;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PgSession.class);
    private final ProcessRunner runner;
    private final PgDumpConfig config;
    private final PassFile passFile;
    private final boolean offline;

    private PgSession(PgConnection connection, ProcessRunner runner, PgDumpConfig config, PassFile passFile,
            boolean offline) {
        this.connection = connection;
        this.runner = runner;
        this.config = config;
        this.passFile = passFile;
        this.offline = offline;
    }

    /**
     * @param connection the server
     * @param runner     how tools start
     * @param config     timeouts and how the password travels
     * @return a session; close it to remove the temporary pgpass file
     */
    static PgSession open(PgConnection connection, ProcessRunner runner, PgDumpConfig config) {
        PassFile file = null;
        if (connection.password().isPresent() && config.passwordTransport() == PasswordTransport.PASSFILE) {
            file = PassFile.write(connection.user(), connection.password().get());
        }
        return new PgSession(connection, runner, config, file, false);
    }

    /**
     * A session that only runs tools which need no server (pg_restore --list).
     *
     * @param connection where the binaries are
     * @param runner     how tools start
     * @param config     timeouts
     * @return a session without credentials
     */
    static PgSession offline(PgConnection connection, ProcessRunner runner, PgDumpConfig config) {
        return new PgSession(connection, runner, config, null, true);
    }

    PgConnection connection() {
        return connection;
    }

    /** libpq's connect timeout for every tool, unless the host's environment sets one: 30 s per address. */
    static final String CONNECT_TIMEOUT_SECONDS = "30";

    /**
     * @param tool {@code pg_dump}, {@code psql}, ...
     * @return a command with the libpq environment and the configured time limit
     */
    ToolCommand.Builder command(String tool) {
        ToolCommand.Builder b = ToolCommand.builder(tool, executable(tool)).timeout(config.toolTimeout());
        if (offline) {
            // pg_restore --list and -f read an archive and connect to nothing: no connection settings, no password
            return b;
        }
        b.env("PGHOST", connection.host())
                .env("PGPORT", Integer.toString(connection.port()))
                .env("PGUSER", connection.user())
                .env("PGAPPNAME", "pgvault");
        if (System.getenv("PGCONNECT_TIMEOUT") == null) { // a host that does not answer fails in seconds, not minutes
            b.env("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_SECONDS);
        }
        connection.sslMode().ifPresent(m -> b.env("PGSSLMODE", m));
        if (passFile != null) {
            b.env("PGPASSFILE", passFile.path().toString());
        } else if (connection.passfile().isPresent()) {
            b.env("PGPASSFILE", connection.passfile().get().toString());
        } else if (connection.password().isPresent()) {
            b.secretEnv("PGPASSWORD", connection.password().get());
        }
        return b;
    }

    /**
     * Starts a tool, turning "cannot start" into a message that names the binary directory.
     *
     * @param command the command
     * @return the running tool
     */
    ToolProcess start(ToolCommand command) {
        return start(command, null);
    }

    /**
     * @param command        the command
     * @param stderrListener sees each line of its standard error first, or null
     * @return the running tool
     */
    ToolProcess start(ToolCommand command, StderrListener stderrListener) {
        try {
            return runner.start(command, stderrListener);
        } catch (ToolException e) {
            throw explainMissing(e, command);
        }
    }

    /**
     * Runs a tool without input and waits for it.
     *
     * @param command the command
     * @return its result with standard output
     */
    ToolResult run(ToolCommand command) {
        try {
            return runner.run(command);
        } catch (ToolException e) {
            throw explainMissing(e, command);
        }
    }

    private ToolException explainMissing(ToolException e, ToolCommand command) {
        if (e.code() != ErrorCode.TOOL_MISSING) {
            return e;
        }
        String where = connection.binDir().map(d -> "binDir " + d + " (from the PgConnection)")
                .orElse("PATH; set PgConnection.binDir to the PostgreSQL client binaries");
        ToolException clear = new ToolException(ErrorCode.TOOL_MISSING, command.tool(), e.exitCode().orElse(null),
                e.stderrTail(), command.tool() + " was not found or cannot be executed: looked for "
                        + command.executable() + " in " + where + " (" + e.getMessage() + ")", e);
        return clear;
    }

    /** psql executables (with their launcher) known to support restricted mode, or not. */
    private static final java.util.Map<String, Boolean> RESTRICTS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether this session's psql knows {@code \restrict} (17.6, 16.10, 15.14, 14.19, 13.22 and later): asked once
     * per executable and launcher in a process, with {@code psql --version}.
     *
     * @return whether scripts can be fed under a restrict key of pgvault's own ({@link RestrictedScript})
     */
    boolean psqlRestricts() {
        return RESTRICTS.computeIfAbsent(executable("psql") + "|" + runner.launcher().describe(), k -> {
            String v = run(command("psql").arg("--version").timeout(CONTROL_TIMEOUT).build()).stdout();
            boolean ok = restricts(v);
            if (!ok) {
                LOG.warn("{} does not know restricted mode (\\restrict: 17.6, 16.10, 15.14, 14.19, 13.22 and later);"
                        + " scripts restored with it are protected by pgvault's meta-command check alone",
                        v.strip());
            }
            return ok;
        });
    }

    /** pg_restore executables (with their launcher) and their major versions. */
    private static final java.util.Map<String, Integer> PG_RESTORE_MAJORS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @return the major version of this session's pg_restore ({@code pg_restore --version}, asked once per executable
     *         and launcher in a process), or 0 when its output names none
     */
    int pgRestoreMajor() {
        return PG_RESTORE_MAJORS.computeIfAbsent(executable("pg_restore") + "|" + runner.launcher().describe(),
                k -> toolMajor(run(command("pg_restore").arg("--version").timeout(CONTROL_TIMEOUT).build()).stdout())
                        .orElse(0));
    }

    private static final java.util.regex.Pattern TOOL_VERSION = java.util.regex.Pattern.compile(
            "^\\S+ \\(PostgreSQL\\) (\\d{1,3})(?:\\.(\\d{1,3}))?(?!\\d)");

    /**
     * @param versionLine what a client program's {@code --version} printed, e.g. {@code pg_dump (PostgreSQL) 17.12
     *                    (Debian 17.12-0+deb13u1)}
     * @return its major version on {@link ServerVersion#major()}'s scale (17; 906 for 9.6), if the line has the form
     */
    static java.util.OptionalInt toolMajor(String versionLine) {
        java.util.regex.Matcher m = TOOL_VERSION.matcher(versionLine == null ? "" : versionLine.strip());
        if (!m.find()) {
            return java.util.OptionalInt.empty();
        }
        int first = Integer.parseInt(m.group(1));
        int second = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        return java.util.OptionalInt.of(first >= 10 ? first : first * 100 + second);
    }

    /** @return whether a {@code psql --version} line names a release with {@code \restrict} */
    static boolean restricts(String versionLine) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(?:\\.(\\d+))?").matcher(versionLine);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        return switch (major) {
            case 17 -> minor >= 6;
            case 16 -> minor >= 10;
            case 15 -> minor >= 14;
            case 14 -> minor >= 19;
            case 13 -> minor >= 22;
            default -> major >= 18;
        };
    }

    /**
     * @return {@code pg_dump --version}, e.g. {@code pg_dump (PostgreSQL) 15.18}
     */
    String pgDumpVersion() {
        return run(command("pg_dump").arg("--version").timeout(CONTROL_TIMEOUT).build()).stdout().strip();
    }

    /**
     * Reads the server's version, databases and roles in one psql run.
     *
     * @param database a database to connect to
     * @return what the server has now
     */
    ServerCatalog catalog(String database) {
        return ServerCatalog.parse(query(database, ServerCatalog.QUERY));
    }

    /**
     * Runs statements one by one (autocommit: CREATE/DROP DATABASE cannot run in a transaction), stopping at the
     * first error. The SQL travels on standard input in UTF-8, never on a command line.
     *
     * @param database a database to connect to
     * @param sql      statements
     */
    void execute(String database, String sql) {
        query(database, sql);
    }

    /**
     * @param database a database to connect to
     * @param sql      a query whose columns hold no {@code |} and no line breaks
     * @return its rows, columns separated by {@code |}
     */
    List<String> query(String database, String sql) {
        ToolCommand cmd = command("psql")
                .arg("-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo(database), "-f", "-")
                .env("PGCLIENTENCODING", "UTF8")
                .timeout(CONTROL_TIMEOUT)
                .build();
        try (ToolProcess p = start(cmd)) {
            try (OutputStream in = p.stdin()) {
                // literals are quoted for standard strings (Sql.literal): a role's own setting must not change that
                in.write(("SET standard_conforming_strings = on;\n" + sql).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // psql stopped reading: its exit code and stderr below say why
            }
            byte[] out = p.stdout().readAllBytes();
            p.await();
            String text = new String(out, StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "reading the output of psql failed: " + e, e);
        }
    }

    /**
     * @param database a database name
     * @return a libpq connection string selecting it, safe for names holding {@code =}, spaces or quotes
     */
    static String conninfo(String database) {
        requireArgvSafe(database);
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * Java 17 encodes command lines with the default charset; a name it cannot encode would reach the tool garbled.
     */
    static void requireArgvSafe(String text) {
        Charset argv = Charset.defaultCharset();
        Charset jnu = Optional.ofNullable(System.getProperty("sun.jnu.encoding")).filter(Charset::isSupported)
                .map(Charset::forName).orElse(argv);
        if (!argv.newEncoder().canEncode(text) || !jnu.newEncoder().canEncode(text)) {
            throw new ConfigurationException("the name '" + text + "' cannot be passed to the PostgreSQL tools: this"
                    + " JVM encodes command lines as " + argv + "; run it with a UTF-8 locale (LANG=C.UTF-8) or"
                    + " -Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8");
        }
    }

    private String executable(String tool) {
        return connection.binDir().map(d -> d.resolve(tool)).map(Path::toString).orElse(tool);
    }

    @Override
    public void close() {
        if (passFile != null) {
            passFile.close();
        }
    }

    /**
     * @param num  {@code server_version_num}, e.g. 150018
     * @param text {@code server_version}, e.g. {@code 15.18 (Debian 15.18-0+deb12u1)}
     */
    record ServerVersion(int num, String text) {
        int major() {
            return num >= 100000 ? num / 10000 : num / 100;
        }
    }

    /**
     * @param name             database name
     * @param owner            owning role
     * @param encoding         server encoding name, e.g. {@code UTF8}
     * @param allowConnections {@code datallowconn}
     * @param template         {@code datistemplate}
     * @param oid              its OID: tells a database from another created under the same name since
     */
    record DatabaseInfo(String name, String owner, String encoding, boolean allowConnections, boolean template,
            long oid) {
    }
}
