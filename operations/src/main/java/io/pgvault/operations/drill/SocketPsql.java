package io.pgvault.operations.drill;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * psql over a throwaway server's 0700 Unix socket, run as the server's OS user through its launcher ({@code peer}
 * authentication): how a restored copy is reached before it has a password pgvault knows. SQL goes on standard input,
 * never on the command line.
 */
final class SocketPsql {
    private static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(1);

    private final ThrowawayPostgres pg;
    private final String program;
    private final String role;

    private SocketPsql(ThrowawayPostgres pg, String program, String role) {
        this.pg = pg;
        this.program = program;
        this.role = role;
    }

    /** The first pause between rounds of attempts; it doubles up to {@link #MAX_PAUSE_MILLIS}. */
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long MAX_PAUSE_MILLIS = 2000;

    /**
     * Waits until the server answers one of {@code roles} over the socket and is out of recovery, trying every role
     * after 0.1 s, then after pauses that double up to 2 s.
     *
     * @return psql as the first role that logged in
     * @throws PgVaultException (TIMEOUT) when it does not within {@code timeout}, with the last error and the log
     */
    static SocketPsql await(ThrowawayPostgres pg, List<String> roles, Duration timeout) {
        String program = PostgresBinaries.psql(pg.binaries());
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            for (String role : roles) {
                SocketPsql psql = new SocketPsql(pg, program, role);
                try {
                    // the role must be a superuser to set the drill's password (a stanza's backup role may not be)
                    String answer = psql.run("SELECT pg_catalog.pg_is_in_recovery()::text || ' ' || rolsuper::text"
                            + " FROM pg_catalog.pg_roles WHERE rolname = current_user").strip();
                    if ("false true".equals(answer)) {
                        return psql;
                    }
                    last = answer.startsWith("true") ? "still in recovery" : role + " is not a superuser";
                } catch (PgVaultException e) {
                    last = role + ": " + e.getMessage();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new PgVaultException(ErrorCode.TIMEOUT, "the restored server did not answer out of recovery"
                        + " over its socket (as " + roles + ") within " + timeout + ": " + last + "; server log: "
                        + pg.logTail(1500));
            }
            try {
                // a long recovery would otherwise start a psql per role ten times a second for minutes
                Thread.sleep(Math.min(pause, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while waiting for the restored server",
                        e);
            }
        }
    }

    /**
     * @param sql statements, stopped at the first error
     * @return psql's unaligned, tuples-only output
     */
    String run(String sql) {
        ToolCommand cmd = ToolCommand.builder("psql", program)
                .arg("-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", pg.directory().toString(), "-p",
                        Integer.toString(pg.port()), "-U", role, "-d", "postgres", "-f", "-")
                .env("PGPASSFILE", "/dev/null")
                .env("PGAPPNAME", "pgvault-drill")
                .workingDirectory(pg.server().files().workingDirectory())
                .timeout(STATEMENT_TIMEOUT).build();
        try (ToolProcess p = pg.serverRunner().start(cmd)) {
            try (OutputStream in = p.stdin()) {
                in.write(sql.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // psql stopped reading: its exit code says why
            }
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            p.await();
            return out;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot run psql on the restored server: " + e, e);
        }
    }
}
