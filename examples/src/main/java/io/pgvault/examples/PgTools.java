package io.pgvault.examples;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@code psql} and {@code pg_dump} against a {@link PgConnection} through pgvault's {@link ProcessRunner}: an
 * argument list without secrets, the password only in the child's environment ({@code PGPASSWORD}) or a passfile.
 */
final class PgTools {
    /** Separates fields in psql's unaligned output; never appears in the names and numbers queried here. */
    private static final char FIELD = '\u001f';
    private static final Duration TIMEOUT = Duration.ofHours(2);

    private final PgConnection connection;
    private final ProcessRunner runner;

    PgTools(PgConnection connection, ProcessRunner runner) {
        this.connection = connection;
        this.runner = runner;
    }

    /** @return tools aimed at another database of the same server */
    PgTools on(String database) {
        return new PgTools(connection.withDatabase(database), runner);
    }

    PgConnection connection() {
        return connection;
    }

    /**
     * Runs a script with {@code psql -X -v ON_ERROR_STOP=1}, fed on standard input.
     *
     * @return the rows every statement printed, each a list of fields (SQL NULL is an empty string)
     */
    List<List<String>> query(String sql) {
        ToolCommand command = command("psql").arg("-X", "-q", "-A", "-t", "-0", "-v", "ON_ERROR_STOP=1",
                "-F", String.valueOf(FIELD)).build();
        String out = runWithInput(command, sql);
        List<List<String>> rows = new ArrayList<>();
        for (String row : out.split("\0")) {
            String r = row.startsWith("\n") ? row.substring(1) : row; // psql separates result sets with a newline
            if (!r.isEmpty()) {
                rows.add(Arrays.asList(r.split(String.valueOf(FIELD), -1)));
            }
        }
        return rows;
    }

    /** Runs statements, ignoring their output. */
    void execute(String sql) {
        query(sql);
    }

    /** @return {@code pg_dump --schema-only} of the database, as text */
    String schemaDump() {
        return runner.run(command("pg_dump").arg("--schema-only").build()).stdout();
    }

    private ToolCommand.Builder command(String tool) {
        String executable = connection.binDir().map(d -> d.resolve(tool).toString()).orElse(tool);
        ToolCommand.Builder b = ToolCommand.builder(tool, executable).timeout(TIMEOUT)
                .arg("-h", connection.host(), "-p", Integer.toString(connection.port()), "-U", connection.user(),
                        "-d", conninfo(connection.database()), "--no-password")
                .env("PGCLIENTENCODING", "UTF8").env("PGCONNECT_TIMEOUT", "10");
        connection.password().ifPresent(p -> b.secretEnv("PGPASSWORD", p));
        connection.passfile().ifPresent(f -> b.env("PGPASSFILE", f.toString()));
        connection.sslMode().ifPresent(m -> b.env("PGSSLMODE", m));
        return b;
    }

    /** A database name as a libpq conninfo string, so that names with {@code =} or a leading dash stay names. */
    static String conninfo(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private String runWithInput(ToolCommand command, String input) {
        try (ToolProcess p = runner.start(command)) {
            // write on another thread: psql may fill its output pipe before it has read all of a long script
            CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
                try (OutputStream in = p.stdin()) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // psql died early; await() explains why
                }
            });
            String out = readAll(p.stdout());
            p.await();
            feeder.join();
            return out;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "I/O with " + command.tool() + " failed: " + e, e);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param name an SQL identifier, unquoted
     * @return it quoted: {@code a"b} becomes {@code "a""b"}
     */
    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * @param value text without NUL
     * @return it as a string literal
     */
    static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
