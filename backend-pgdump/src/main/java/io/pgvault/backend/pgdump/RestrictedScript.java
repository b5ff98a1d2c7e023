package io.pgvault.backend.pgdump;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Puts a whole script under psql's restricted mode with a key of this restore's own: the first line psql reads is
 * {@code \restrict KEY} with a random key nobody else knows, so no backslash command in the script can run, whatever
 * the script does to psql's lexer (a client encoding switched from SQL, say). The script's own pair, which the guard
 * has validated, is taken out: a {@code \restrict K} line before any statement (only comment and blank lines before
 * it) and a <code>&#92;unrestrict K</code> line after the last statement (only comment and blank lines after it), as
 * pg_dump and pg_dumpall write them. Every other byte passes through unchanged. Only psql releases that know
 * restricted mode (17.6, 16.10, 15.14, 14.19 and later) get this ({@link PgSession#psqlRestricts()}); the guard
 * alone protects older ones.
 */
final class RestrictedScript extends InputStream {
    private static final byte[] RESTRICT = "\\restrict ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNRESTRICT = "\\unrestrict ".getBytes(StandardCharsets.US_ASCII);
    /** The longest line held to be classified. */
    private static final int MAX_LINE = 4096;
    /** The most held after a closing unrestrict line while waiting for the end. */
    private static final int MAX_TAIL = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { PREAMBLE, BODY, COLLECT, TAIL }

    private final InputStream in;
    private final byte[] chunk = new byte[64 * 1024];
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private byte[] pending;
    private int pendingPos;
    private boolean eof;
    private State state = State.PREAMBLE;
    /** The script's own restrict key, once its preamble held {@code \restrict KEY}. */
    private String scriptKey;
    private boolean lineStart = true;
    /** The line being classified. */
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    /** In TAIL: the closing unrestrict line (first) and the comment or blank lines after it. */
    private final ByteArrayOutputStream tail = new ByteArrayOutputStream();
    private int tailFirstLine;

    private RestrictedScript(InputStream in, String key) {
        this.in = in;
        this.pending = ("\\restrict " + key + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param guarded a script that passed {@link PsqlScriptGuard}
     * @return the script under a fresh random restrict key
     */
    static InputStream wrap(InputStream guarded) {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return new RestrictedScript(Objects.requireNonNull(guarded, "guarded"), HexFormat.of().formatHex(key));
    }

    /**
     * The one way a guarded script reaches psql: under this restore's own restrict key where psql knows restricted
     * mode, and inside pgvault's transaction unless the script cannot run in one.
     *
     * @param guarded     a script that passed {@link PsqlScriptGuard}
     * @param restricted  whether psql knows {@code \restrict} ({@link PgSession#psqlRestricts()})
     * @param transaction whether to wrap it in {@link #inTransaction}
     * @return what to feed psql
     */
    static InputStream forPsql(InputStream guarded, boolean restricted, boolean transaction) {
        InputStream script = restricted ? wrap(guarded) : guarded;
        return transaction ? inTransaction(script) : script;
    }

    /**
     * Wraps a script in {@code BEGIN; ... COMMIT;} written by pgvault, the COMMIT only after the script's last byte
     * (which the decoding stream hands out only once the object's digests matched). psql's own
     * {@code --single-transaction} commits at end of input, which is also what a tool sees when its ssh or
     * docker client is killed: cut short, this script ends inside its transaction, and the server rolls it back.
     *
     * @param script the script
     * @return the script inside a transaction that only its complete end commits
     */
    static InputStream inTransaction(InputStream script) {
        return new java.io.SequenceInputStream(java.util.Collections.enumeration(java.util.List.of(
                new java.io.ByteArrayInputStream("BEGIN;\n".getBytes(StandardCharsets.US_ASCII)), script,
                new java.io.ByteArrayInputStream("\nCOMMIT;\n".getBytes(StandardCharsets.US_ASCII)))));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (pendingPos < pending.length) {
                int n = Math.min(len, pending.length - pendingPos);
                System.arraycopy(pending, pendingPos, b, off, n);
                pendingPos += n;
                return n;
            }
            if (eof) {
                return -1;
            }
            if (state == State.BODY) { // the bulk of a script: read straight into the caller's buffer
                int n = in.read(b, off, len);
                if (n < 0) {
                    eof = true;
                    end();
                    pending = out.toByteArray();
                    pendingPos = 0;
                    out.reset();
                    continue;
                }
                int j = off;
                boolean atLineStart = lineStart;
                while (j < off + n && !(atLineStart && b[j] == '\\' && scriptKey != null)) {
                    atLineStart = b[j] == '\n';
                    j++;
                }
                if (j == off + n) {
                    lineStart = atLineStart;
                    return n;
                }
                // a line opening with a backslash: what precedes it goes out now, the rest through the slow path
                lineStart = atLineStart;
                for (int i = j; i < off + n; i++) {
                    step(b[i]);
                }
                pending = out.toByteArray();
                pendingPos = 0;
                out.reset();
                if (j > off) {
                    return j - off;
                }
                continue;
            }
            int n = in.read(chunk);
            if (n < 0) {
                eof = true;
                end();
            } else {
                int i = 0;
                while (i < n) {
                    if (state == State.BODY) { // the bulk of a script: copied in runs up to a line opening with \
                        int j = i;
                        boolean atLineStart = lineStart;
                        while (j < n && !(atLineStart && chunk[j] == '\\' && scriptKey != null)) {
                            atLineStart = chunk[j] == '\n';
                            j++;
                        }
                        out.write(chunk, i, j - i);
                        lineStart = atLineStart;
                        if (j == n) {
                            break;
                        }
                        i = j;
                    }
                    step(chunk[i]);
                    i++;
                }
            }
            pending = out.toByteArray();
            pendingPos = 0;
            out.reset();
        }
    }

    private void step(byte c) {
        switch (state) {
            case PREAMBLE -> {
                line.write(c);
                if (c == '\n') {
                    preambleLine();
                } else if (line.size() > MAX_LINE) {
                    out.writeBytes(line.toByteArray());
                    line.reset();
                    state = State.BODY;
                    lineStart = false;
                }
            }
            case BODY -> {
                if (lineStart && c == '\\' && scriptKey != null) {
                    state = State.COLLECT;
                    line.write(c);
                    lineStart = false;
                    return;
                }
                out.write(c);
                lineStart = c == '\n';
            }
            case COLLECT -> {
                line.write(c);
                if (c == '\n') {
                    byte[] l = line.toByteArray();
                    line.reset();
                    lineStart = true;
                    if (scriptKey.equals(keyOf(l, UNRESTRICT))) {
                        tail.writeBytes(l);
                        tailFirstLine = l.length;
                        state = State.TAIL;
                    } else {
                        out.writeBytes(l);
                        state = State.BODY;
                    }
                } else if (line.size() > MAX_LINE) {
                    out.writeBytes(line.toByteArray());
                    line.reset();
                    state = State.BODY;
                }
            }
            case TAIL -> {
                line.write(c);
                if (c == '\n') {
                    byte[] l = line.toByteArray();
                    line.reset();
                    tail.writeBytes(l);
                    if (!commentOrBlank(l)) { // more script follows: the unrestrict line was not the closing one
                        out.writeBytes(tail.toByteArray());
                        tail.reset();
                        state = State.BODY;
                    } else if (tail.size() > MAX_TAIL) {
                        out.writeBytes(tail.toByteArray());
                        tail.reset();
                        state = State.BODY;
                    }
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void preambleLine() {
        byte[] l = line.toByteArray();
        line.reset();
        if (commentOrBlank(l)) {
            out.writeBytes(l);
            return;
        }
        scriptKey = keyOf(l, RESTRICT);
        if (scriptKey == null) {
            out.writeBytes(l); // the first statement: no pair of the script's own
        }
        state = State.BODY;
        lineStart = true;
    }

    /** The end of the script: a closing unrestrict line of the script's key is left out. */
    private void end() {
        byte[] rest = line.toByteArray();
        line.reset();
        switch (state) {
            case PREAMBLE -> {
                if (!commentOrBlank(rest) && keyOf(rest, RESTRICT) != null) {
                    return; // a script of nothing but its own restrict line
                }
                out.writeBytes(rest);
            }
            case COLLECT -> {
                if (!scriptKey.equals(keyOf(rest, UNRESTRICT))) {
                    out.writeBytes(rest);
                }
            }
            case TAIL -> {
                byte[] t = tail.toByteArray();
                if (commentOrBlank(rest)) {
                    out.write(t, tailFirstLine, t.length - tailFirstLine);
                } else {
                    out.writeBytes(t);
                }
                out.writeBytes(rest);
            }
            default -> out.writeBytes(rest);
        }
    }

    /** @return whether a line is empty, blank or a {@code --} comment (psql: nothing to run, top level after) */
    private static boolean commentOrBlank(byte[] l) {
        int i = 0;
        while (i < l.length && (l[i] == ' ' || l[i] == '\t')) {
            i++;
        }
        if (i + 1 < l.length && l[i] == '-' && l[i + 1] == '-') {
            for (int j = i; j < l.length; j++) {
                if (l[j] == '\r' && j + 1 < l.length && l[j + 1] != '\n') {
                    return false; // a carriage return ends a comment early: not a plain comment line
                }
            }
            return true;
        }
        for (int j = i; j < l.length; j++) {
            if (l[j] != '\n' && l[j] != '\r') {
                return false;
            }
        }
        return true;
    }

    /** @return the key of a {@code \restrict KEY} / <code>&#92;unrestrict KEY</code> line, or null */
    private static String keyOf(byte[] l, byte[] prefix) {
        int end = l.length;
        while (end > 0 && (l[end - 1] == '\n' || l[end - 1] == '\r')) {
            end--;
        }
        if (end <= prefix.length || !Arrays.equals(l, 0, prefix.length, prefix, 0, prefix.length)) {
            return null;
        }
        for (int i = prefix.length; i < end; i++) {
            int c = l[i] & 0xFF;
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return null;
            }
        }
        return new String(l, prefix.length, end - prefix.length, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
