package io.pgvault.testkit;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs SQL through {@code psql} over TCP as this process's OS user (libpq clients, unlike the server, run as root),
 * the script on standard input, and parses its unaligned output: fields separated by U+001F, rows terminated by NUL
 * (which no PostgreSQL text value can contain, so values may span lines), SQL NULL printed as a marker.
 */
final class Psql {
    static final String FIELD_SEPARATOR = "\u001f";
    static final String NULL_MARKER = "\u0001NULL\u0001";

    private final String psql;
    private final String host;
    private final int port;
    private final String user;

    Psql(String psql, String host, int port, String user) {
        this.psql = psql;
        this.host = host;
        this.port = port;
        this.user = user;
    }

    /**
     * @param database database to connect to
     * @param sql      one or more SQL statements (psql meta-commands allowed); stops at the first error
     * @param timeout  time limit
     * @return standard output: rows terminated by NUL, fields separated by U+001F
     * @throws ToolException when psql fails, e.g. on the first SQL error (the message quotes psql's stderr)
     */
    String run(String database, String sql, Duration timeout) {
        ToolCommand cmd = ToolCommand.builder("psql", psql)
                .arg("-X", "-q", "-A", "-t", "-F", FIELD_SEPARATOR, "-0", "-P", "null=" + NULL_MARKER,
                        "-v", "ON_ERROR_STOP=1", "-d", conninfo(host, port, user, database), "-f", "-")
                .env("PGCLIENTENCODING", "UTF8")
                .env("PGCONNECT_TIMEOUT", "10")
                .timeout(timeout)
                .build();
        byte[] script = sql.getBytes(StandardCharsets.UTF_8);
        AtomicReference<IOException> writeFailure = new AtomicReference<>();
        try (ToolProcess p = ProcessRunner.local().start(cmd)) {
            Thread writer = new Thread(() -> {
                try (OutputStream in = p.stdin()) {
                    in.write(script);
                } catch (IOException e) {
                    writeFailure.set(e); // psql stopped reading: its exit code and stderr tell why
                }
            }, "psql-stdin");
            writer.setDaemon(true);
            writer.start();
            String out = readAll(p.stdout());
            try {
                p.await();
            } catch (ToolException e) {
                throw new ToolException(e.code(), e.tool(), e.exitCode().orElse(null), e.stderrTail(),
                        "psql on database '" + database + "' at " + host + ":" + port + ": " + e.getMessage(), e);
            }
            joinQuietly(writer);
            if (writeFailure.get() != null) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED,
                        "psql on database '" + database + "' did not read its whole script", writeFailure.get());
            }
            return out;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "reading the output of psql failed: " + e, e);
        }
    }

    /**
     * @param output what {@link #run} returned
     * @return the rows of every result, in order; SQL NULL as {@code null}
     */
    static List<List<String>> parseRows(String output) {
        List<List<String>> rows = new ArrayList<>();
        int start = 0;
        int end;
        while ((end = output.indexOf('\0', start)) >= 0) {
            String record = output.substring(start, end);
            start = end + 1;
            List<String> row = new ArrayList<>(Arrays.asList(record.split(FIELD_SEPARATOR, -1)));
            row.replaceAll(v -> NULL_MARKER.equals(v) ? null : v);
            rows.add(Collections.unmodifiableList(row));
        }
        return Collections.unmodifiableList(rows);
    }

    /**
     * @return a libpq connection string; {@code dbname} quoted so that no database name (with spaces, quotes,
     *         {@code =} or unicode) is mistaken for a connection string or URI
     */
    static String conninfo(String host, int port, String user, String database) {
        return "host=" + quoteConninfo(host) + " port=" + port + " user=" + quoteConninfo(user)
                + " dbname=" + quoteConninfo(database);
    }

    static String quoteConninfo(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while feeding psql", e);
        }
    }
}
