package io.pgvault.spi.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Drains a tool's stderr line by line, logs it redacted at debug, and keeps the last lines for error messages. A
 * {@link StderrListener} sees every line first; the lines it claims as its reports are logged at trace only and kept
 * out of the tail.
 */
final class StderrTail implements Consumer<InputStream> {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
    private static final int MAX_LINES = 20;
    private static final int MAX_LINE = 500;

    private final String tool;
    private final Redactor redactor;
    private final StderrListener listener;
    /** Set once the listener has thrown: it is not called again (a broken listener must not flood the log). */
    private boolean listenerFailed;
    private final Deque<String> lines = new ArrayDeque<>();

    StderrTail(String tool, Redactor redactor, StderrListener listener) {
        this.tool = tool;
        this.redactor = redactor;
        this.listener = listener;
    }

    @Override
    public void accept(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (report(line)) {
                    if (LOG.isTraceEnabled()) {
                        LOG.trace("{}: {}", tool, safe(line));
                    }
                    continue;
                }
                String safe = safe(line);
                LOG.debug("{}: {}", tool, safe);
                synchronized (lines) {
                    lines.addLast(safe);
                    if (lines.size() > MAX_LINES) {
                        lines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("{}: stderr closed: {}", tool, e.toString());
        } finally {
            if (listener != null) {
                try {
                    listener.onEnd();
                } catch (RuntimeException e) {
                    LOG.warn("the stderr listener of {} failed at the end of its output", tool, e);
                }
            }
        }
    }

    private String safe(String line) {
        return redactor.redact(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line);
    }

    /** @return whether the listener claimed the line; a failing listener must not stop the draining */
    private boolean report(String line) {
        if (listener == null || listenerFailed) {
            return false;
        }
        try {
            return listener.onLine(line);
        } catch (RuntimeException e) {
            listenerFailed = true;
            LOG.warn("the stderr listener of {} failed; it sees no further lines", tool, e);
            return false;
        }
    }

    String tail() {
        synchronized (lines) {
            return String.join("\n", lines).strip();
        }
    }
}
