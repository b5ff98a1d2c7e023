package io.pgvault.cli;

import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.api.event.VaultListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Progress on a terminal: one line rewritten in place with the bytes stored, the rate and, when the previous set's
 * size is known, an estimate of the time left. Off a terminal the log lines (every 30 s) say the same.
 */
final class TerminalProgress implements VaultListener {
    private final PrintStream out;
    private volatile OptionalLong expected = OptionalLong.empty();
    private volatile boolean drawn;

    TerminalProgress(PrintStream out) {
        this.out = out;
    }

    /** @param bytes what the coming work will probably store (the previous set's size), for the estimate */
    void expect(OptionalLong bytes) {
        expected = bytes;
    }

    @Override
    public void on(VaultEvent event) {
        if (event instanceof Events.Progress p) {
            out.print("\r" + line(p.phase().name().toLowerCase(Locale.ROOT), p.id().value(), p.bytes(),
                    p.bytesPerSecond(), expected) + "\u001b[K");
            out.flush();
            drawn = true;
        } else if (drawn) {
            out.print("\r\u001b[K");
            out.flush();
            drawn = false;
        }
    }

    static String line(String phase, String id, long bytes, double rate, OptionalLong expected) {
        String s = String.format(Locale.ROOT, "%s %s: %s at %s/s", phase, id, Output.bytes(bytes),
                Output.bytes((long) rate));
        if (expected.isPresent() && rate > 0 && expected.getAsLong() > bytes) {
            long left = (long) ((expected.getAsLong() - bytes) / rate);
            s += String.format(Locale.ROOT, ", about %d:%02d left (the last set stored %s)", left / 60, left % 60,
                    Output.bytes(expected.getAsLong()));
        }
        return s;
    }
}
