package io.pgvault.examples;

import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolResult;
import io.pgvault.testkit.PostgresCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator would type instead of pgvault, run as {@code bash -c 'set -euo pipefail; ...'} against one
 * cluster, with its wall time and the CPU time of the pipeline's processes (bash's {@code times}: user + system of
 * the children; the server's own backend is not included, as it is not for pgvault).
 * <p>Two kinds: the <em>plain</em> pipelines ({@code pg_dump | zstd -3 > file}), and pipelines doing the
 * <em>same work</em> as pgvault: SHA-256 of the dump, zstd, age encryption, SHA-256 of the stored bytes, fsync of the
 * file; restores check the stored SHA-256 first, as {@code RestoreRequest.verifyFirst} does.
 */
final class ShellBaseline {
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s");

    private static final ProcessRunner RUNNER = ProcessRunner.local();
    private final PostgresCluster pg;

    ShellBaseline(PostgresCluster pg) {
        this.pg = pg;
    }

    /** What one run took. */
    record Run(Duration wall, Duration childCpu) {
    }

    /** {@code pg_dump FORMAT | zstd -3 > file} */
    Run backup(String database, String format, Path file) {
        return run(pgDump(database, format) + " | zstd -3 -q > " + quote(file));
    }

    /** {@code pg_dump FORMAT | tee >(sha256sum) | zstd -3 | age -r R | tee file | sha256sum; sync file} */
    Run backupSameWork(String database, String format, String recipient, Path file) {
        return run(pgDump(database, format) + " | tee >(sha256sum > /dev/null) | zstd -3 -q | age -r "
                + quote(recipient) + " | tee " + quote(file) + " | sha256sum > /dev/null\nsync " + quote(file));
    }

    /** {@code createdb; zstd -dc file | psql -X -q -v ON_ERROR_STOP=1} */
    Run restorePlain(Path file, String database) {
        return run(createdb(database) + "\nzstd -dc " + quote(file) + " | " + psql(database));
    }

    /** {@code createdb; zstd -dc file | pg_restore -d db} */
    Run restoreCustom(Path file, String database) {
        return run(createdb(database) + "\nzstd -dc " + quote(file) + " | " + pgRestore(database));
    }

    /** {@code sha256sum file; createdb; age -d -i key file | zstd -dc | tee >(sha256sum) | psql ...} */
    Run restorePlainSameWork(Path file, Path identity, String database) {
        return run(decryptSameWork(file, identity, database) + psql(database));
    }

    /** {@code sha256sum file; createdb; age -d -i key file | zstd -dc | tee >(sha256sum) | pg_restore -d db} */
    Run restoreCustomSameWork(Path file, Path identity, String database) {
        return run(decryptSameWork(file, identity, database) + pgRestore(database));
    }

    /** @return the seconds {@code sync FILE} (an fsync) takes */
    Duration fsync(Path file) {
        return run("sync " + quote(file)).wall();
    }

    /**
     * @param script a bash script
     * @return what it printed
     */
    static String capture(String script) {
        return RUNNER.run(ToolCommand.builder("bash", "bash").arg("-c", script).timeout(Duration.ofMinutes(1))
                .build()).stdout();
    }

    /**
     * @param script a bash script; fails on the first failing command or pipeline stage
     * @return wall time and CPU time of the processes it started
     */
    static Run run(String script) {
        ToolCommand command = ToolCommand.builder("bash", "bash")
                .arg("-c", "set -euo pipefail\n" + script + "\ntimes")
                .timeout(Duration.ofHours(1)).build();
        long start = System.nanoTime();
        ToolResult result = RUNNER.run(command);
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        return new Run(wall, childCpu(result.stdout()));
    }

    /** {@code pg_dump FORMAT -h -p -U -d database} */
    String pgDump(String database, String format) {
        return tool("pg_dump") + " " + format + " " + connect(database);
    }

    private String decryptSameWork(Path file, Path identity, String database) {
        return "sha256sum " + quote(file) + " > /dev/null\n" + createdb(database) + "\nage -d -i " + quote(identity)
                + " " + quote(file) + " | zstd -dc | tee >(sha256sum > /dev/null) | ";
    }

    private String psql(String database) {
        return tool("psql") + " -X -q -v ON_ERROR_STOP=1 " + connect(database) + " > /dev/null";
    }

    private String pgRestore(String database) {
        return tool("pg_restore") + " --exit-on-error " + connect(database);
    }

    private String createdb(String database) {
        return tool("createdb") + " -h " + pg.host() + " -p " + pg.port() + " -U " + pg.user() + " -T template0 "
                + quote(database);
    }

    private String connect(String database) {
        return "-h " + pg.host() + " -p " + pg.port() + " -U " + pg.user() + " -d " + quote(database);
    }

    private String tool(String name) {
        return quote(pg.binDir().resolve(name));
    }

    /** bash prints {@code times} as two lines, the shell's own user/system time and then its children's. */
    private static Duration childCpu(String timesOutput) {
        Matcher m = TIMES.matcher(timesOutput);
        Duration cpu = Duration.ZERO;
        for (int line = 0; m.find(); line++) {
            if (line == 1) {
                cpu = seconds(m.group(1), m.group(2)).plus(seconds(m.group(3), m.group(4)));
            }
        }
        return cpu;
    }

    private static Duration seconds(String minutes, String seconds) {
        return Duration.ofMinutes(Long.parseLong(minutes))
                .plusNanos(Math.round(Double.parseDouble(seconds) * 1e9));
    }

    /** @return {@code value} quoted for bash */
    static String quote(Object value) {
        return "'" + value.toString().replace("'", "'\\''") + "'";
    }
}
