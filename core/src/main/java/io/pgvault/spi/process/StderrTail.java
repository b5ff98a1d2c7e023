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

/** Drains a tool's stderr line by line, logs it redacted at debug, and keeps the last lines for error messages. */
final class StderrTail implements Consumer<InputStream> {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
    private static final int MAX_LINES = 20;
    private static final int MAX_LINE = 500;

    private final String tool;
    private final Redactor redactor;
    private final Deque<String> lines = new ArrayDeque<>();

    StderrTail(String tool, Redactor redactor) {
        this.tool = tool;
        this.redactor = redactor;
    }

    @Override
    public void accept(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String safe = redactor.redact(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line);
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
        }
    }

    String tail() {
        synchronized (lines) {
            return String.join("\n", lines).strip();
        }
    }
}
