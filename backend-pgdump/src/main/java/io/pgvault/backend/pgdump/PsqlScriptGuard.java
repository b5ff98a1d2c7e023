package io.pgvault.backend.pgdump;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Lets a plain-format pg_dump script, or {@code pg_dumpall --globals-only} output, reach {@code psql} only when it
 * contains SQL plus the meta-commands pg_dump itself writes. A backup repository may have been written by an
 * attacker, and psql executes meta-commands found in its input ({@code \!}, {@code \o |cmd}, {@code \copy ...
 * program}, backquotes in meta-command arguments, variable interpolation, ...).
 *
 * <p>The filter runs a scanner that mirrors psql's lexer ({@code src/fe_utils/psqlscan.l}, PostgreSQL 14 to 17):
 * comments (nested {@code /* *}{@code /}), standard, {@code E''}, bit/hex/national/Unicode strings, quoted
 * identifiers, dollar quotes, identifiers and numbers, parentheses, psql's {@code BEGIN ... END} tracking for
 * SQL-standard function bodies, statement-ending semicolons, and COPY data blocks. Where psql versions lex
 * differently, or where the outcome depends on server settings SQL can change ({@code standard_conforming_strings},
 * {@code client_encoding}), the script is refused. Accepted:
 * <ul>
 * <li>{@code \restrict KEY} and <code>&#92;unrestrict KEY</code> lines (KEY alphanumeric, optional trailing CR)
 * at the start of a line while no statement is pending; a restrict key recorded for the backup must match, and
 * <code>&#92;unrestrict</code> must match the open {@code \restrict}. Every other backslash at top level is
 * refused.</li>
 * <li>COPY only in pg_dump's form, alone on its line: {@code COPY name [(columns)] FROM stdin;}; its data block runs
 * to a line that is exactly {@code \.} and is passed through uninterpreted.</li>
 * </ul>
 * Refused besides: psql variable references ({@code :name}, {@code :'name'}, {@code :"name"}, {@code :{?name}}),
 * a quote after an odd run of backslashes in a non-E string, numbers directly followed by identifier characters or
 * {@code $}, names of client encodings whose multibyte characters contain ASCII bytes, NUL bytes, and a script
 * ending inside a literal, comment, dollar quote or COPY data block.
 *
 * <p>Streaming with bounded memory: bytes are handed out as soon as they are scanned, except a line that may be a
 * {@code \restrict} line (at most 4 KiB), a line that starts a COPY statement (at most 1 MiB) and a {@code :}
 * awaiting its next byte, which are held until classified. When the scanner refuses, {@code read} first hands out
 * the bytes before the offending construct, then throws {@link UnsafeScriptException}. A held line is withheld
 * whole; an encoding name that was partly handed out before it could be recognized is cut where it was recognized,
 * before its statement can end.
 *
 * <p>Relies on psql running with {@code ON_ERROR_STOP=1} when the script contains COPY: should the server reject a
 * COPY, psql without it would read the data lines as commands. Use {@link #withoutCopy()} for scripts replayed
 * without {@code ON_ERROR_STOP}. On refusal the caller must kill psql rather than close its input: psql sends an
 * unterminated last statement at end of input (and commits a {@code --single-transaction} run).
 */
final class PsqlScriptGuard {
    /** The longest held line that may be a {@code \restrict} or <code>&#92;unrestrict</code> line. */
    static final int MAX_META_LINE = 4 * 1024;
    /** The longest held line that starts a COPY statement. */
    static final int MAX_COPY_LINE = 1024 * 1024;
    /** The longest dollar-quote tag. */
    static final int MAX_DOLLAR_TAG = 1024;
    /** The most bytes of offending text a message quotes. */
    static final int EXCERPT = 60;

    private static final int CHUNK = 64 * 1024;
    /** Identifiers are truncated to this many bytes by the server (NAMEDATALEN - 1). */
    private static final int IDENTIFIER_BYTES = 63;
    /** Longer alphanumeric runs cannot be one of the encoding names below. */
    private static final int NAME_MAX = 16;
    /**
     * Client encodings whose multibyte characters may contain ASCII bytes, as PostgreSQL's encoding lookup sees
     * them (lower case, non-alphanumerics removed), plus the Windows code page spellings.
     */
    private static final Set<String> UNSAFE_ENCODINGS = Set.of("sjis", "shiftjis", "mskanji", "shiftjis2004",
            "big5", "gbk", "uhc", "gb18030", "johab", "win932", "win936", "win949", "win950", "windows932",
            "windows936", "windows949", "windows950", "cp932", "cp936", "cp949", "cp950");

    private final String restrictKey;
    private final boolean copyAllowed;

    private PsqlScriptGuard(String restrictKey, boolean copyAllowed) {
        this.restrictKey = restrictKey;
        this.copyAllowed = copyAllowed;
    }

    /**
     * @param restrictKey the key pg_dump's {@code \restrict} line must carry, when the backup recorded one
     * @return a guard accepting pg_dump's plain output, COPY data blocks included
     */
    static PsqlScriptGuard of(Optional<String> restrictKey) {
        return new PsqlScriptGuard(Objects.requireNonNull(restrictKey, "restrictKey").orElse(null), true);
    }

    /**
     * @return a guard with the same restrict key that also refuses every COPY statement: for scripts psql replays
     *         without {@code ON_ERROR_STOP} (pg_dumpall {@code --globals-only} output has no COPY), where a COPY
     *         the server rejects would leave psql reading its data lines as commands
     */
    PsqlScriptGuard withoutCopy() {
        return new PsqlScriptGuard(restrictKey, false);
    }

    /**
     * Wraps a script: bytes come out only after the scanner has passed them; {@code read} throws
     * {@link UnsafeScriptException} at the first forbidden construct, having returned none of its bytes (and none of
     * the bytes of its line that would let psql act on it).
     *
     * @param script the script as stored; closed when the returned stream is closed
     * @return the checked script
     */
    InputStream filter(InputStream script) {
        return new Filter(Objects.requireNonNull(script, "script"), restrictKey, copyAllowed);
    }

    private static boolean isAsciiLetter(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isAsciiAlnum(int b) {
        return isAsciiLetter(b) || isDigit(b);
    }

    /** psql's {@code ident_start} (also {@code dolq_start}). */
    private static boolean isIdentStart(int b) {
        return isAsciiLetter(b) || b == '_' || b >= 0x80;
    }

    /** psql's {@code ident_cont}: {@code dolq_cont} plus {@code $}. */
    private static boolean isIdentCont(int b) {
        return isIdentStart(b) || isDigit(b) || b == '$';
    }

    private static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    /** @param cleaned lower-case alphanumerics, as PostgreSQL's encoding lookup compares names */
    private static boolean isUnsafeEncoding(byte[] cleaned, int len) {
        if (len < 3 || len > 12 || "bcgjmsuw".indexOf(cleaned[0]) < 0) {
            return false;
        }
        return UNSAFE_ENCODINGS.contains(new String(cleaned, 0, len, StandardCharsets.ISO_8859_1));
    }

    /** The scanning stream; see the class comment. Single-threaded, like any InputStream. */
    private static final class Filter extends InputStream {
        private static final int TOP = 0;
        private static final int IDENT = 1;
        private static final int NUM_INT = 2;
        private static final int NUM_DOT = 3;
        private static final int NUM_FRAC = 4;
        private static final int NUM_EXP_E = 5;
        private static final int NUM_EXP_SIGN = 6;
        private static final int NUM_EXP = 7;
        private static final int PARAM = 8;
        private static final int DASH = 9;
        private static final int SLASH = 10;
        private static final int COLON = 11;
        private static final int DOLLAR = 12;
        private static final int LINE_COMMENT = 13;
        private static final int BLOCK_COMMENT = 14;
        private static final int STR_STD = 15;
        private static final int STR_STD_QUOTE = 16;
        private static final int STR_E = 17;
        private static final int STR_E_QUOTE = 18;
        private static final int QIDENT = 19;
        private static final int QIDENT_QUOTE = 20;
        private static final int DOLQ_BODY = 21;
        private static final int META_LINE = 22;
        private static final int COPY_LINE = 23;
        private static final int DATA_START = 24;
        private static final int DATA_BS = 25;
        private static final int DATA_BS_DOT = 26;
        private static final int DATA_BS_DOT_CR = 27;
        private static final int DATA_LINE = 28;

        private static final byte[] RESTRICT = "\\restrict ".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] UNRESTRICT = "\\unrestrict ".getBytes(StandardCharsets.US_ASCII);

        private final InputStream in;
        private final String restrictKey;
        private final boolean copyAllowed;
        private final byte[] single = new byte[1];

        // ---- buffer: buf[0] is stream offset base; [out, scan) scanned, [scan, end) not yet scanned
        private byte[] buf = new byte[2 * CHUNK];
        private long base;
        private int out;
        private int scan;
        private int end;
        /** Stream offset from which bytes are held back until classified, or -1. */
        private long holdAt = -1;
        private boolean inputDone;
        private boolean finished;
        private boolean closed;
        private long line = 1;
        /** Whether the byte at {@code scan} starts a line. */
        private boolean lineStart = true;

        // ---- refusal
        private boolean failed;
        private long cutAt;
        private String failWhat;
        private long failLine;
        private long excerptFrom;
        private int excerptMax;
        private UnsafeScriptException failure;

        // ---- psql lexer state
        private int state = TOP;
        /** Statement text (beyond whitespace and comments) since the last statement-ending semicolon. */
        private boolean pending;
        /** A semicolon that psql did not treat as the end of the statement came last (before this token). */
        private boolean afterInnerSemicolon;
        private int parenDepth;
        private int beginDepth;
        private int identifierCount;
        private final byte[] identifiers = new byte[4];
        private String activeRestrict;
        private long constructStart;
        private long constructLine;

        // ---- current identifier
        private final byte[] word = new byte[64];
        private final byte[] wordCleaned = new byte[NAME_MAX];
        private int wordLen;
        private long wordStart;
        private boolean wordFirst;
        private boolean wordAfterInner;
        private boolean wordAtLineStart;
        /** The identifier being read starts a statement with 'c' and is held in case it is COPY. */
        private boolean copyCandidate;

        // ---- literals
        private boolean oddBackslashes;
        private boolean escapeNext;
        private int commentDepth;
        private int commentPrev;
        private final byte[] tag = new byte[MAX_DOLLAR_TAG];
        private int tagLen;
        private int tagMatch = -1;

        // ---- encoding names inside literals: alphanumeric runs and quote-delimited segments
        private final byte[] litWord = new byte[NAME_MAX];
        private int litWordLen;
        private boolean litWordLong;
        private boolean inLitWord;
        private long litWordStart;
        private int litWordLeft;
        private final byte[] segment = new byte[NAME_MAX];
        private int segLen;
        private boolean segLong;
        private long segStart;
        private int litPrev;

        Filter(InputStream in, String restrictKey, boolean copyAllowed) {
            this.in = in;
            this.restrictKey = restrictKey;
            this.copyAllowed = copyAllowed;
        }

        @Override
        public int read() throws IOException {
            int n = read(single, 0, 1);
            return n < 0 ? -1 : single[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                int ready = readyLimit() - out;
                if (ready > 0) {
                    int n = Math.min(ready, len);
                    System.arraycopy(buf, out, b, off, n);
                    out += n;
                    return n;
                }
                if (failed) {
                    throw failure();
                }
                if (finished) {
                    return -1;
                }
                advance();
            }
        }

        @Override
        public int available() {
            return closed ? 0 : Math.max(0, readyLimit() - out);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            in.close();
        }

        /** @return the buffer index up to which scanned bytes may be handed out */
        private int readyLimit() {
            long limit = base + scan;
            if (holdAt >= 0 && holdAt < limit) {
                limit = holdAt;
            }
            if (failed && cutAt < limit) {
                limit = cutAt;
            }
            return (int) (limit - base);
        }

        /** Scans buffered bytes, or reads more input, or handles the end of input. */
        private void advance() throws IOException {
            if (scan < end) {
                scanBytes();
                return;
            }
            if (inputDone) {
                finish();
                finished = true;
                return;
            }
            makeRoom(out);
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                inputDone = true;
                return;
            }
            end += n;
            scanBytes();
        }

        /** Drops bytes before index {@code keep} and makes at least a chunk of room after {@code end}. */
        private void makeRoom(int keep) {
            if (keep > 0 && buf.length - end < CHUNK) {
                System.arraycopy(buf, keep, buf, 0, end - keep);
                base += keep;
                out -= keep;
                scan -= keep;
                end -= keep;
            }
            if (buf.length - end < CHUNK) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + CHUNK));
            }
        }

        private void scanBytes() {
            while (scan < end && !failed) {
                if (state == DATA_LINE || state == LINE_COMMENT) {
                    int i = scan;
                    byte[] a = buf;
                    if (state == DATA_LINE) {
                        while (i < end && a[i] != '\n' && a[i] != 0) {
                            i++;
                        }
                    } else {
                        while (i < end && a[i] != '\n' && a[i] != '\r' && a[i] != 0) {
                            i++;
                        }
                    }
                    if (i > scan) {
                        scan = i;
                        lineStart = false;
                        continue;
                    }
                }
                int b = buf[scan] & 0xFF;
                step(b);
                if (failed) {
                    return;
                }
                scan++;
                if (b == '\n') {
                    line++;
                    lineStart = true;
                } else {
                    lineStart = false;
                }
            }
        }

        /** Feeds one byte to the scanner, re-dispatching it while a state change hands it on. */
        private void step(int b) {
            long pos = base + scan;
            if (b == 0) {
                refuse("a NUL byte", pos, pos);
                return;
            }
            while (!dispatch(b, pos) && !failed) {
                // the byte ended a token; it is scanned again in the new state
            }
        }

        /** @return whether the byte was consumed; false to scan it again in the (new) state */
        private boolean dispatch(int b, long pos) {
            switch (state) {
                case TOP:
                    return top(b, pos);
                case IDENT:
                    return ident(b, pos);
                case NUM_INT:
                case NUM_DOT:
                case NUM_FRAC:
                case NUM_EXP_E:
                case NUM_EXP_SIGN:
                case NUM_EXP:
                case PARAM:
                    return number(b, pos);
                case DASH:
                    if (b == '-') {
                        state = LINE_COMMENT;
                        return true;
                    }
                    token();
                    state = TOP;
                    return false;
                case SLASH:
                    if (b == '*') {
                        state = BLOCK_COMMENT;
                        commentDepth = 0;
                        commentPrev = 0;
                        constructStart = pos - 1;
                        constructLine = line;
                        return true;
                    }
                    token();
                    state = TOP;
                    return false;
                case COLON:
                    return colon(b);
                case DOLLAR:
                    return dollar(b, pos);
                case LINE_COMMENT:
                    if (b == '\n' || b == '\r') {
                        state = TOP;
                    }
                    return true;
                case BLOCK_COMMENT:
                    return blockComment(b);
                case STR_STD:
                case STR_STD_QUOTE:
                case STR_E:
                case STR_E_QUOTE:
                case QIDENT:
                case QIDENT_QUOTE:
                    return quoted(b, pos);
                case DOLQ_BODY:
                    return dollarBody(b, pos);
                case META_LINE:
                    if (b == '\n') {
                        metaLine(pos);
                    } else if (pos - holdAt >= MAX_META_LINE) {
                        refuse("a psql meta-command line longer than " + MAX_META_LINE + " bytes", holdAt, holdAt);
                    }
                    return true;
                case COPY_LINE:
                    if (b == '\n') {
                        copyLine(pos);
                    } else if (pos - holdAt >= MAX_COPY_LINE) {
                        refuse("a COPY statement line longer than " + MAX_COPY_LINE + " bytes", holdAt, holdAt);
                    }
                    return true;
                default:
                    return copyData(b);
            }
        }

        private boolean top(int b, long pos) {
            switch (b) {
                case ' ':
                case '\t':
                case '\n':
                case '\r':
                case '\f':
                    return true;
                case '-':
                    state = DASH;
                    return true;
                case '/':
                    state = SLASH;
                    return true;
                case '\'':
                    token();
                    startLiteral(pos);
                    oddBackslashes = false;
                    state = STR_STD;
                    return true;
                case '"':
                    token();
                    startLiteral(pos);
                    state = QIDENT;
                    return true;
                case '$':
                    token();
                    tagLen = 0;
                    state = DOLLAR;
                    return true;
                case ':':
                    token();
                    holdAt = pos;
                    state = COLON;
                    return true;
                case '\\':
                    if (lineStart && !pending) {
                        holdAt = pos;
                        state = META_LINE;
                    } else {
                        refuse("a psql meta-command", pos, pos);
                    }
                    return true;
                case ';':
                    semicolon();
                    return true;
                case '(':
                    token();
                    parenDepth++;
                    return true;
                case ')':
                    token();
                    if (parenDepth > 0) {
                        parenDepth--;
                    }
                    return true;
                default:
                    if (isDigit(b)) {
                        token();
                        state = NUM_INT;
                    } else if (isIdentStart(b)) {
                        startWord(b, pos);
                    } else {
                        token();
                    }
                    return true;
            }
        }

        /** Some statement text other than an identifier starts here. */
        private void token() {
            pending = true;
            afterInnerSemicolon = false;
        }

        /** psql's semicolon rule: the statement ends unless inside parentheses or a BEGIN ... END body. */
        private void semicolon() {
            if (parenDepth == 0 && beginDepth == 0) {
                pending = false;
                afterInnerSemicolon = false;
                identifierCount = 0;
            } else {
                pending = true;
                afterInnerSemicolon = true;
            }
        }

        private void startWord(int b, long pos) {
            wordFirst = !pending || afterInnerSemicolon;
            wordAfterInner = afterInnerSemicolon;
            wordAtLineStart = lineStart;
            wordStart = pos;
            token();
            wordLen = 0;
            copyCandidate = false;
            if (wordFirst && lower(b) == 'c') {
                copyCandidate = true;
                holdAt = pos;
            }
            appendWord(b);
            state = IDENT;
        }

        private void appendWord(int b) {
            if (wordLen < word.length) {
                word[wordLen] = (byte) b;
            }
            if (wordLen < Integer.MAX_VALUE) {
                wordLen++;
            }
            if (copyCandidate && (wordLen > 4 || lower(b) != "copy".charAt(wordLen - 1))) {
                dropCopyCandidate();
            }
        }

        private void dropCopyCandidate() {
            if (copyCandidate) {
                copyCandidate = false;
                holdAt = -1;
            }
        }

        private boolean ident(int b, long pos) {
            if (isIdentCont(b)) {
                appendWord(b);
                return true;
            }
            if (wordLen == 1) {
                int c = lower(word[0] & 0xFF);
                if (b == '\'' && c == 'e') {
                    dropCopyCandidate();
                    startLiteral(pos);
                    escapeNext = false;
                    state = STR_E;
                    return true;
                }
                if (b == '\'' && (c == 'b' || c == 'x' || c == 'n')) {
                    dropCopyCandidate();
                    startLiteral(pos);
                    oddBackslashes = false;
                    state = STR_STD;
                    return true;
                }
                if (b == '&' && c == 'u') {
                    state = TOP;
                    return false;
                }
            }
            identifierEnd();
            return false;
        }

        /** An identifier token ended (psql's {@code {identifier}} rule). */
        private void identifierEnd() {
            state = TOP;
            byte[] cleaned = wordCleaned;
            int n = 0;
            for (int i = 0; i < Math.min(wordLen, IDENTIFIER_BYTES); i++) {
                int c = word[i] & 0xFF;
                if (isAsciiAlnum(c)) {
                    if (n == NAME_MAX) {
                        n = -1;
                        break;
                    }
                    cleaned[n++] = (byte) lower(c);
                }
            }
            if (n > 0 && isUnsafeEncoding(cleaned, n)) {
                refuseEncoding(new String(cleaned, 0, n, StandardCharsets.ISO_8859_1), wordStart);
                return;
            }
            boolean copy = wordIs("copy");
            countIdentifier();
            if (wordFirst && copy) {
                if (wordAfterInner) {
                    refuse("COPY after a semicolon that psql does not treat as the end of the command (the server "
                            + "would run it within a multi-statement query)", wordStart, wordStart);
                } else if (!copyAllowed) {
                    refuse("a COPY statement, which this script must not contain", wordStart, wordStart);
                } else if (!wordAtLineStart) {
                    refuse("a COPY statement that does not start a line", wordStart, wordStart);
                } else {
                    state = COPY_LINE;
                    constructLine = line;
                }
                return;
            }
            dropCopyCandidate();
        }

        private boolean wordIs(String keyword) {
            if (wordLen != keyword.length()) {
                return false;
            }
            for (int i = 0; i < wordLen; i++) {
                if (lower(word[i] & 0xFF) != keyword.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * psql's heuristic for SQL-standard function bodies: in a statement starting CREATE [OR REPLACE]
         * FUNCTION|PROCEDURE, BEGIN (and CASE within it) opens and END closes a block whose semicolons do not end
         * the statement.
         */
        private void countIdentifier() {
            if (identifierCount == 0) {
                Arrays.fill(identifiers, (byte) 0);
            }
            if (identifierCount < identifiers.length && (wordIs("create") || wordIs("function")
                    || wordIs("procedure") || wordIs("or") || wordIs("replace"))) {
                identifiers[identifierCount] = (byte) lower(word[0] & 0xFF);
            }
            if (identifierCount < Integer.MAX_VALUE) {
                identifierCount++;
            }
            byte[] id = identifiers;
            if (id[0] == 'c' && (id[1] == 'f' || id[1] == 'p'
                    || (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))) && parenDepth == 0) {
                if (wordIs("begin")) {
                    beginDepth++;
                } else if (wordIs("case")) {
                    if (beginDepth >= 1) {
                        beginDepth++;
                    }
                } else if (wordIs("end")) {
                    if (beginDepth > 0) {
                        beginDepth--;
                    }
                }
            }
        }

        /**
         * Numbers and {@code $n} parameters. A number or parameter directly followed by identifier characters or
         * {@code $} is lexed differently by psql versions (junk rules since 15, {@code 1$a$} opening a dollar
         * quote, {@code 1e'...'} an E string), so it is refused.
         */
        private boolean number(int b, long pos) {
            switch (state) {
                case NUM_INT:
                    if (isDigit(b)) {
                        return true;
                    }
                    if (b == '.') {
                        state = NUM_DOT;
                        return true;
                    }
                    if (b == 'e' || b == 'E') {
                        state = NUM_EXP_E;
                        return true;
                    }
                    break;
                case NUM_DOT:
                    if (b == '.') {
                        state = TOP;
                        return true;
                    }
                    if (isDigit(b)) {
                        state = NUM_FRAC;
                        return true;
                    }
                    if (b == 'e' || b == 'E') {
                        state = NUM_EXP_E;
                        return true;
                    }
                    break;
                case NUM_FRAC:
                    if (isDigit(b)) {
                        return true;
                    }
                    if (b == 'e' || b == 'E') {
                        state = NUM_EXP_E;
                        return true;
                    }
                    break;
                case NUM_EXP_E:
                    if (b == '+' || b == '-') {
                        state = NUM_EXP_SIGN;
                        return true;
                    }
                    if (isDigit(b)) {
                        state = NUM_EXP;
                        return true;
                    }
                    refuse("an incomplete number exponent (lexed differently by psql versions)", pos, pos);
                    return true;
                case NUM_EXP_SIGN:
                    if (isDigit(b)) {
                        state = NUM_EXP;
                        return true;
                    }
                    refuse("an incomplete number exponent (lexed differently by psql versions)", pos, pos);
                    return true;
                default:
                    if (isDigit(b)) {
                        return true;
                    }
                    break;
            }
            if (isIdentCont(b)) {
                refuse("a number directly followed by identifier characters or '$' (lexed differently by psql "
                        + "versions)", pos, pos);
                return true;
            }
            state = TOP;
            return false;
        }

        /** After a top-level colon: refuses psql variable interpolation, accepts {@code ::}. */
        private boolean colon(int b) {
            if (b == ':') {
                holdAt = -1;
                state = TOP;
                return true;
            }
            if (isIdentStart(b) || b == '\'' || b == '"' || b == '{') {
                refuse("a psql variable reference", holdAt, holdAt);
                return true;
            }
            holdAt = -1;
            state = TOP;
            return false;
        }

        /** After a {@code $} at a token start: a dollar-quote delimiter, a parameter, or a lone {@code $}. */
        private boolean dollar(int b, long pos) {
            if (tagLen == 0 && isDigit(b)) {
                state = PARAM;
                return true;
            }
            if (tagLen == 0 ? isIdentStart(b) : (isIdentStart(b) || isDigit(b))) {
                if (tagLen == MAX_DOLLAR_TAG) {
                    refuse("a dollar-quote tag longer than " + MAX_DOLLAR_TAG + " bytes", pos, pos - tagLen);
                    return true;
                }
                tag[tagLen++] = (byte) b;
                return true;
            }
            if (b == '$') {
                startLiteral(pos - tagLen - 1);
                tagMatch = -1;
                state = DOLQ_BODY;
                return true;
            }
            if (tagLen == 0) {
                state = TOP;
                return false;
            }
            // psql's dolqfailed: the '$' stands alone and the tag characters are an identifier
            System.arraycopy(tag, 0, word, 0, Math.min(tagLen, word.length));
            wordLen = tagLen;
            wordStart = pos - tagLen;
            wordFirst = false;
            wordAfterInner = false;
            copyCandidate = false;
            state = IDENT;
            return false;
        }

        private boolean dollarBody(int b, long pos) {
            litChar(b, pos);
            if (failed) {
                return true;
            }
            if (tagMatch >= 0) {
                if (tagMatch == tagLen) {
                    if (b == '$') {
                        endLiteral(pos);
                        state = TOP;
                        return true;
                    }
                    tagMatch = -1;
                } else if ((tag[tagMatch] & 0xFF) == b) {
                    tagMatch++;
                    return true;
                } else {
                    tagMatch = b == '$' ? 0 : -1;
                    return true;
                }
            }
            if (b == '$') {
                tagMatch = 0;
            }
            return true;
        }

        /** Nested C-style comments: {@code /*} opens, {@code *}{@code /} closes, as psql's {@code xc} state. */
        private boolean blockComment(int b) {
            if (commentPrev == '/' && b == '*') {
                commentDepth++;
                commentPrev = 0;
            } else if (commentPrev == '*' && b == '/') {
                if (commentDepth == 0) {
                    state = TOP;
                } else {
                    commentDepth--;
                }
                commentPrev = 0;
            } else {
                commentPrev = b;
            }
            return true;
        }

        /** Standard and E strings, quoted identifiers, and the byte after a quote that may double it. */
        private boolean quoted(int b, long pos) {
            switch (state) {
                case STR_STD:
                    if (b == '\'') {
                        if (oddBackslashes) {
                            refuse("a quote after an odd number of backslashes in a string literal (where the "
                                    + "literal ends depends on standard_conforming_strings, which SQL can change)",
                                    pos, Math.max(constructStart, pos - 20));
                            return true;
                        }
                        state = STR_STD_QUOTE;
                        return true;
                    }
                    oddBackslashes = b == '\\' && !oddBackslashes;
                    litChar(b, pos);
                    return true;
                case STR_E:
                    if (escapeNext) {
                        escapeNext = false;
                    } else if (b == '\\') {
                        escapeNext = true;
                    } else if (b == '\'') {
                        state = STR_E_QUOTE;
                        return true;
                    }
                    litChar(b, pos);
                    return true;
                case QIDENT:
                    if (b == '"') {
                        state = QIDENT_QUOTE;
                        return true;
                    }
                    litChar(b, pos);
                    return true;
                default:
                    int quote = state == QIDENT_QUOTE ? '"' : '\'';
                    if (b == quote) {
                        litChar(b, pos);
                        oddBackslashes = false;
                        state = state == STR_STD_QUOTE ? STR_STD : state == STR_E_QUOTE ? STR_E : QIDENT;
                        return true;
                    }
                    endLiteral(pos);
                    state = TOP;
                    return false;
            }
        }

        private void startLiteral(long pos) {
            constructStart = pos;
            constructLine = line;
            inLitWord = false;
            litPrev = '\'';
            segLen = 0;
            segLong = false;
            segStart = pos + 1;
        }

        /** Tracks alphanumeric runs and quote-delimited segments of literal text for encoding names. */
        private void litChar(int b, long pos) {
            if (isAsciiAlnum(b) || b == '_') {
                if (!inLitWord) {
                    inLitWord = true;
                    litWordLen = 0;
                    litWordLong = false;
                    litWordStart = pos;
                    litWordLeft = litPrev;
                }
                if (b != '_') {
                    if (litWordLen < NAME_MAX) {
                        litWord[litWordLen++] = (byte) lower(b);
                    } else {
                        litWordLong = true;
                    }
                }
            } else if (inLitWord) {
                inLitWord = false;
                checkLitWord(b);
                if (failed) {
                    return;
                }
            }
            if (b == '\'' || b == '"') {
                checkSegment();
                segLen = 0;
                segLong = false;
                segStart = pos + 1;
            } else if (isAsciiAlnum(b)) {
                if (segLen < NAME_MAX) {
                    segment[segLen++] = (byte) lower(b);
                } else {
                    segLong = true;
                }
            }
            litPrev = b;
        }

        private void endLiteral(long pos) {
            if (inLitWord) {
                inLitWord = false;
                checkLitWord(-1);
            }
            if (!failed) {
                checkSegment();
            }
        }

        /** Runs touching '+' or '/' are skipped: base64 text (SCRAM secrets) may contain "uhc" or "gbk" by chance. */
        private void checkLitWord(int right) {
            if (!litWordLong && litWordLeft != '+' && litWordLeft != '/' && right != '+' && right != '/'
                    && isUnsafeEncoding(litWord, litWordLen)) {
                refuseEncoding(new String(litWord, 0, litWordLen, StandardCharsets.ISO_8859_1), litWordStart);
            }
        }

        private void checkSegment() {
            if (!segLong && isUnsafeEncoding(segment, segLen)) {
                refuseEncoding(new String(segment, 0, segLen, StandardCharsets.ISO_8859_1), segStart);
            }
        }

        private void refuseEncoding(String name, long from) {
            refuse("the client encoding name " + name + " (psql lexes scripts in that encoding differently; it is "
                    + "not accepted)", from, from);
        }

        /** Validates a held line starting with a backslash: {@code \restrict} or <code>&#92;unrestrict</code>. */
        private void metaLine(long lineEnd) {
            int from = (int) (holdAt - base);
            int to = (int) (lineEnd - base);
            if (to > from && buf[to - 1] == '\r') {
                to--;
            }
            boolean restrict = startsWith(from, to, RESTRICT);
            boolean unrestrict = !restrict && startsWith(from, to, UNRESTRICT);
            int keyFrom = from + (restrict ? RESTRICT.length : UNRESTRICT.length);
            boolean wellFormed = (restrict || unrestrict) && keyFrom < to;
            for (int i = keyFrom; wellFormed && i < to; i++) {
                wellFormed = isAsciiAlnum(buf[i] & 0xFF);
            }
            if (!wellFormed) {
                refuse("a psql meta-command", holdAt, holdAt);
                return;
            }
            String key = new String(buf, keyFrom, to - keyFrom, StandardCharsets.US_ASCII);
            int command = keyFrom - from - 1;
            if (restrict) {
                if (activeRestrict != null) {
                    refuse("a second \\restrict before \\unrestrict", holdAt, holdAt, command);
                    return;
                }
                if (restrictKey != null && !restrictKey.equals(key)) {
                    refuse("\\restrict with a key other than the one recorded for the backup", holdAt, holdAt,
                            command);
                    return;
                }
                activeRestrict = key;
            } else {
                if (activeRestrict == null) {
                    refuse("\\unrestrict without a preceding \\restrict", holdAt, holdAt, command);
                    return;
                }
                if (!activeRestrict.equals(key)) {
                    refuse("\\unrestrict with a key other than the one of \\restrict", holdAt, holdAt, command);
                    return;
                }
                activeRestrict = null;
            }
            holdAt = -1;
            state = TOP;
        }

        private boolean startsWith(int from, int to, byte[] prefix) {
            if (to - from < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (buf[from + i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Validates a held COPY line and, when it is pg_dump's form, enters its data block. */
        private void copyLine(long lineEnd) {
            int from = (int) (holdAt - base);
            int to = (int) (lineEnd - base);
            if (!new CopyLine(buf, from, to).canonical()) {
                refuse("a COPY statement other than pg_dump's \"COPY name [(columns)] FROM stdin;\" alone on its "
                        + "line", holdAt, holdAt);
                return;
            }
            holdAt = -1;
            copyCandidate = false;
            pending = false;
            afterInnerSemicolon = false;
            identifierCount = 0;
            state = DATA_START;
        }

        /** COPY data: only a line that is exactly {@code \.} (optionally {@code \.\r}) ends it. */
        private boolean copyData(int b) {
            switch (state) {
                case DATA_START:
                    state = b == '\\' ? DATA_BS : b == '\n' ? DATA_START : DATA_LINE;
                    return true;
                case DATA_BS:
                    state = b == '.' ? DATA_BS_DOT : b == '\n' ? DATA_START : DATA_LINE;
                    return true;
                case DATA_BS_DOT:
                    state = b == '\n' ? TOP : b == '\r' ? DATA_BS_DOT_CR : DATA_LINE;
                    return true;
                case DATA_BS_DOT_CR:
                    state = b == '\n' ? TOP : DATA_LINE;
                    return true;
                default:
                    if (b == '\n') {
                        state = DATA_START;
                    }
                    return true;
            }
        }

        /** End of input: completes pending tokens and refuses a script that ends inside a construct. */
        private void finish() {
            long eof = base + end;
            switch (state) {
                case IDENT:
                    identifierEnd();
                    break;
                case DOLLAR:
                    if (tagLen > 0) {
                        dollar(' ', eof);
                        identifierEnd();
                    }
                    break;
                case COLON:
                    holdAt = -1;
                    break;
                case STR_STD_QUOTE:
                case STR_E_QUOTE:
                case QIDENT_QUOTE:
                    endLiteral(eof);
                    break;
                case META_LINE:
                    metaLine(eof);
                    break;
                default:
                    break;
            }
            if (failed) {
                return;
            }
            String unclosed;
            switch (state) {
                case BLOCK_COMMENT:
                    unclosed = "a /* comment";
                    break;
                case STR_STD:
                case STR_E:
                    unclosed = "a string literal";
                    break;
                case QIDENT:
                    unclosed = "a quoted identifier";
                    break;
                case DOLQ_BODY:
                    unclosed = "a dollar-quoted string";
                    break;
                case COPY_LINE:
                    unclosed = "a COPY statement (no data follows)";
                    constructStart = holdAt;
                    break;
                case DATA_START:
                case DATA_BS:
                case DATA_LINE:
                    unclosed = "a COPY data block (no \\. line)";
                    constructStart = eof;
                    break;
                default:
                    state = TOP;
                    return;
            }
            failLine = constructLine;
            refuse("the script ends inside " + unclosed + " opened", eof, constructStart);
        }

        private void refuse(String what, long at, long from) {
            refuse(what, at, from, EXCERPT);
        }

        /**
         * Records the refusal: bytes from {@code at} on (or from the first byte not yet handed out, if later) are
         * never handed out; the exception is thrown once the bytes before are read.
         */
        private void refuse(String what, long at, long from, int max) {
            if (failed) {
                return;
            }
            failed = true;
            cutAt = Math.max(at, base + out);
            failWhat = what;
            if (failLine == 0) {
                failLine = line;
            }
            excerptFrom = from;
            excerptMax = Math.min(max, EXCERPT);
        }

        private UnsafeScriptException failure() {
            if (failure == null) {
                failure = new UnsafeScriptException("psql script refused: " + failWhat + " at line " + failLine
                        + ": \"" + excerpt() + "\"");
            }
            return failure;
        }

        /** @return at most {@link #excerptMax} bytes of the offending text, to the end of its line, escaped */
        private String excerpt() {
            int from = (int) (Math.max(excerptFrom, base) - base);
            try {
                while (end - from < excerptMax && !inputDone) {
                    long before = base;
                    makeRoom(Math.min(out, from));
                    from -= (int) (base - before);
                    int n = in.read(buf, end, Math.min(buf.length - end, CHUNK));
                    if (n < 0) {
                        inputDone = true;
                    } else {
                        end += n;
                    }
                }
            } catch (IOException e) {
                // quote what is at hand
            }
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < end && i - from < excerptMax; i++) {
                int c = buf[i] & 0xFF;
                if (c == '\n') {
                    break;
                }
                if (c == '\r') {
                    sb.append("\\r");
                } else if (c == '\t') {
                    sb.append("\\t");
                } else if (c >= 0x20 && c < 0x7F) {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02x", c));
                }
            }
            return sb.toString();
        }
    }

    /**
     * Parses one line against pg_dump's COPY form: {@code COPY name[.name...] [(column, ...)] FROM stdin;} with an
     * optional trailing CR, where names are plain identifiers or well-formed double-quoted ones (without CR or LF).
     */
    private static final class CopyLine {
        private final byte[] buf;
        private final int to;
        private int i;

        CopyLine(byte[] buf, int from, int to) {
            this.buf = buf;
            this.i = from;
            this.to = to > from && buf[to - 1] == '\r' ? to - 1 : to;
        }

        boolean canonical() {
            if (!keyword("copy") || !spaces()) {
                return false;
            }
            if (!identifier()) {
                return false;
            }
            while (i < to && buf[i] == '.') {
                i++;
                if (!identifier()) {
                    return false;
                }
            }
            if (!spaces()) {
                return false;
            }
            if (i < to && buf[i] == '(') {
                i++;
                optionalSpaces();
                if (!identifier()) {
                    return false;
                }
                optionalSpaces();
                while (i < to && buf[i] == ',') {
                    i++;
                    optionalSpaces();
                    if (!identifier()) {
                        return false;
                    }
                    optionalSpaces();
                }
                if (i >= to || buf[i] != ')') {
                    return false;
                }
                i++;
                if (!spaces()) {
                    return false;
                }
            }
            return keyword("from") && spaces() && keyword("stdin") && i < to && buf[i++] == ';' && i == to;
        }

        private boolean keyword(String k) {
            if (to - i < k.length()) {
                return false;
            }
            for (int j = 0; j < k.length(); j++) {
                if (lower(buf[i + j] & 0xFF) != k.charAt(j)) {
                    return false;
                }
            }
            i += k.length();
            return i == to || !isIdentCont(buf[i] & 0xFF);
        }

        private boolean spaces() {
            int start = i;
            optionalSpaces();
            return i > start;
        }

        private void optionalSpaces() {
            while (i < to && buf[i] == ' ') {
                i++;
            }
        }

        private boolean identifier() {
            if (i >= to) {
                return false;
            }
            int c = buf[i] & 0xFF;
            if (c == '"') {
                int start = ++i;
                while (i < to) {
                    int d = buf[i] & 0xFF;
                    if (d == '\r' || d == '\n') {
                        return false;
                    }
                    if (d == '"') {
                        if (i + 1 < to && buf[i + 1] == '"') {
                            i += 2;
                            continue;
                        }
                        i++;
                        return i - 1 > start;
                    }
                    i++;
                }
                return false;
            }
            if (!isIdentStart(c)) {
                return false;
            }
            i++;
            while (i < to && isIdentCont(buf[i] & 0xFF)) {
                i++;
            }
            return true;
        }
    }
}
