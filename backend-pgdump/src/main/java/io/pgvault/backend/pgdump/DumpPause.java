package io.pgvault.backend.pgdump;

import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.RunningProgram;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Pauses and resumes a running pg_dump with job-control signals (STOP, CONT), the way an operator would with Ctrl-Z:
 * the parallel leader, so that it hands out no further items while its workers finish theirs, or the only process
 * with one job. pg_dump has no throttle of its own, and it holds its snapshot and locks the same whether it works or
 * waits.
 *
 * <p>The signals come from a small {@code /bin/sh} helper started with the same launcher, so as the same OS user as
 * pg_dump. It reads {@code STOP} or {@code CONT} lines and answers {@code ok} or {@code failed}; when its input ends
 * (closed here, or because this process died) it sends CONT before it exits, so pg_dump is never left stopped
 * holding its locks.
 */
final class DumpPause implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DumpPause.class);
    private static final String HELPER = """
            while read -r signal; do
              case "$signal" in STOP|CONT) ;; *) echo failed; continue ;; esac
              if kill -s "$signal" "$1" 2>/dev/null; then echo ok; else echo failed; fi
            done
            kill -s CONT "$1" 2>/dev/null
            exit 0
            """;

    private final ToolProcess helper;
    private final OutputStream commands;
    private final BufferedReader answers;
    private final long pid;
    private boolean paused;

    private DumpPause(ToolProcess helper, long pid) {
        this.helper = helper;
        this.commands = helper.stdin();
        this.answers = new BufferedReader(new InputStreamReader(helper.stdout(), StandardCharsets.US_ASCII));
        this.pid = pid;
    }

    /**
     * @param runner  how pg_dump was started (its launcher starts the helper too)
     * @param pgDump  the running pg_dump, or the launcher's wrapper around it
     * @param timeout the helper's time limit (pg_dump's own)
     * @return a way to pause it, when pg_dump's leader can be found among the processes here
     */
    static Optional<DumpPause> start(ProcessRunner runner, ToolProcess pgDump, Duration timeout) {
        Optional<ProcessHandle> leader = leader(pgDump.toHandle());
        if (leader.isEmpty() || !pgDump.isAlive()) {
            return Optional.empty();
        }
        long pid = leader.get().pid();
        ToolCommand cmd = ToolCommand.builder("pg_dump-pause", "/bin/sh")
                .args(List.of("-c", HELPER, "pgvault-pause", Long.toString(pid))).timeout(timeout).build();
        return Optional.of(new DumpPause(runner.start(cmd), pid));
    }

    /** The pg_dump process whose parent is not a pg_dump: the process started, or the one a wrapper started. */
    static Optional<ProcessHandle> leader(ProcessHandle started) {
        if (isPgDump(started)) {
            return Optional.of(started);
        }
        List<ProcessHandle> dumps = started.descendants().filter(DumpPause::isPgDump).toList();
        return dumps.stream().filter(h -> h.parent().filter(DumpPause::isPgDump).isEmpty()).findFirst();
    }

    private static boolean isPgDump(ProcessHandle h) {
        return RunningProgram.named(h, "pg_dump"); // also a pg_dump run through its own loader by a wrapper
    }

    /** @return whether pg_dump is paused now */
    boolean pause() {
        if (!paused) {
            paused = send("STOP");
        }
        return paused;
    }

    /** @return whether pg_dump runs now (as far as the helper can tell) */
    boolean resume() {
        if (paused) {
            paused = !send("CONT");
        }
        return !paused;
    }

    private boolean send(String signal) {
        try {
            commands.write((signal + "\n").getBytes(StandardCharsets.US_ASCII));
            commands.flush();
            String answer = answers.readLine();
            if ("ok".equals(answer)) {
                return true;
            }
            LOG.debug("pg_dump-pause: {} to pid {} answered {}", signal, pid, answer);
        } catch (IOException e) {
            LOG.debug("pg_dump-pause: {} to pid {} failed: {}", signal, pid, e.toString());
        }
        return false;
    }

    /** Ends the helper, which resumes pg_dump whatever state it was left in. */
    @Override
    public void close() {
        try {
            commands.close();
        } catch (IOException e) {
            LOG.debug("pg_dump-pause: closing its input failed: {}", e.toString());
        }
        try (helper) {
            helper.await();
        } catch (RuntimeException e) {
            LOG.warn("the helper that pauses pg_dump (pid {}) failed: {}", pid, e.getMessage());
        }
    }
}
