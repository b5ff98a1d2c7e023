package io.pgvault.backend.pgdump;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class PsqlScriptGuardTest {
    private static final PsqlScriptGuard GUARD = PsqlScriptGuard.of(Optional.of("abc123"));
    private static final PsqlScriptGuard ANY_KEY = PsqlScriptGuard.of(Optional.empty());

    /** Read patterns: the consumer's buffer size (1 = single-byte read()) and how many bytes the source yields. */
    private static final int[] BUFFERS = {1, 3, 7, 8192};
    private static final int[] TRICKLES = {0, 1, 5};

    private static final String PLAIN_DUMP = """
            --
            -- PostgreSQL database dump
            --

            \\restrict abc123

            -- Dumped from database version 17.6
            -- Dumped by pg_dump version 17.6

            SET statement_timeout = 0;
            SET lock_timeout = 0;
            SET idle_in_transaction_session_timeout = 0;
            SET transaction_timeout = 0;
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            SELECT pg_catalog.set_config('search_path', '', false);
            SET check_function_bodies = false;
            SET xmloption = content;
            SET client_min_messages = warning;
            SET row_security = off;

            --
            -- Name: shop; Type: SCHEMA; Schema: -; Owner: postgres
            --

            CREATE SCHEMA shop;


            ALTER SCHEMA shop OWNER TO postgres;

            /* a comment with \\! touch /tmp/x and /* a nested \\o |cat */ is still a comment */

            --
            -- Name: add_one(integer); Type: FUNCTION; Schema: shop; Owner: postgres
            --

            CREATE FUNCTION shop.add_one(x integer) RETURNS integer
                LANGUAGE plpgsql
                AS $_$
            BEGIN
                -- \\! touch /tmp/pwned is only text in here
                RAISE NOTICE 'path C:\\temp\\ and \\\\server\\share $$ % \\', $1;
                v := x + 1;
                RETURN v;
            END;
            $_$;


            ALTER FUNCTION shop.add_one(x integer) OWNER TO postgres;

            CREATE FUNCTION shop.shout(t text) RETURNS text
                LANGUAGE sql IMMUTABLE
                AS $$SELECT upper(t) || E'\\\\'' || '\\! touch x' || $_$ $$;

            COMMENT ON FUNCTION shop.shout(t text) IS E'it\\'s \\\\ a \\\\! shout, \\'quoted\\'';

            CREATE FUNCTION shop.total(a integer, b integer) RETURNS integer
                LANGUAGE sql
                BEGIN ATOMIC
             SELECT (a + b);
             SELECT CASE WHEN (a > b) THEN a ELSE b END AS "case";
            END;

            CREATE TABLE shop."Order Items" (
                id integer NOT NULL,
                "weird""name\\" text DEFAULT 'x'::text,
                note text,
                price numeric(10,2) CHECK ((price > (0)::numeric)),
                ratio double precision DEFAULT 1.5e-10,
                tags text[] DEFAULT '{}'::text[]
            );

            CREATE VIEW shop.v AS
             SELECT id,
                (note)::text AS note_text,
                tags[1:2] AS first_tags,
                'it''s'::text AS quoted,
                B'101' AS bits, X'1F' AS hex, N'national' AS nat, U&'\\0041' AS uni
               FROM shop."Order Items";

            CREATE TABLE shop.empty (
            );

            SELECT pg_catalog.setval('shop.seq', 42, true);
            SELECT shop.add_one(x := 1), 1.5, .5, 1e10, 2E+3;

            --
            -- Data for Name: Order Items; Type: TABLE DATA; Schema: shop; Owner: postgres
            --

            COPY shop."Order Items" (id, "weird""name\\", note, price, ratio, tags) FROM stdin;
            1\tx\t\\\\! touch /tmp/pwned\t1.50\t1\t{a,b}
            2\tit's\t$$ and \\\\\\\\ and \\\\. and '\t2.00\t\\N\t{}
            3\t\\N\t\\! raw \\o |cat\t3.00\t0.5\t{"c d"}
            \\.


            COPY shop.empty  FROM stdin;
            \\.


            --
            -- PostgreSQL database dump complete
            --

            \\unrestrict abc123

            """;

    private static final String GLOBALS = """
            --
            -- PostgreSQL database cluster dump
            --

            \\restrict abc123

            SET default_transaction_read_only = off;

            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;

            --
            -- Roles
            --

            CREATE ROLE alice;
            ALTER ROLE alice WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS \
            PASSWORD 'SCRAM-SHA-256$4096:c2FsdHNhbHQ+Gbk/w==$U3RvcmVkS2V5+uhc/Zm9vYmFy=:U2VydmVyS2V5/gbk+YmF6=';
            CREATE ROLE "Bob ""the"" \\admin";
            ALTER ROLE "Bob ""the"" \\admin" WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN PASSWORD NULL;
            ALTER ROLE alice SET search_path TO 'shop', 'public';
            GRANT alice TO "Bob ""the"" \\admin" WITH INHERIT TRUE GRANTED BY postgres;

            --
            -- Tablespaces
            --

            CREATE TABLESPACE fast OWNER postgres LOCATION '/mnt/fast';

            \\unrestrict abc123

            --
            -- PostgreSQL database cluster dump complete
            --

            """;

    @Test
    @DisplayName("a pg_dump plain dump passes unchanged, whatever the read pattern")
    void plainDump() {
        assertPasses(GUARD, PLAIN_DUMP);
        assertPasses(ANY_KEY, PLAIN_DUMP);
    }

    @Test
    @DisplayName("pg_dumpall --globals-only output passes unchanged, also with COPY refused")
    void globals() {
        assertPasses(GUARD, GLOBALS);
        assertPasses(GUARD.withoutCopy(), GLOBALS);
    }

    @Test
    @DisplayName("CRLF line ends: \\restrict, COPY and the \\. terminator accept a trailing CR")
    void crlf() {
        assertPasses(GUARD, PLAIN_DUMP.replace("\n", "\r\n"));
    }

    @Test
    @DisplayName("literals, comments and dollar quotes hide backslashes and colons from psql")
    void hiddenInsideLiterals() {
        assertPasses(ANY_KEY, "/* /* */ \\! x */ SELECT 1;\n");
        assertPasses(ANY_KEY, "SELECT E'a\\'b \\! c', 'x\\\\', 'y\\z', '\\! inside', e'\\\\' ;\n");
        assertPasses(ANY_KEY, "SELECT $a$ x $b$ \\! $a$, $$ $x$ \\o |y $$, $tag$$ta$tag$;\n");
        assertPasses(ANY_KEY, "SELECT \"a\\ \\!\"\"\", 'a:b', ':x', x::text, arr[1:2], f(a := 1), $1::int;\n");
        assertPasses(ANY_KEY, "SELECT a$b$ , $a 'x';\n");
        assertPasses(ANY_KEY, "SELECT 1 -- \\! only a comment\n;\n");
        assertPasses(ANY_KEY, "SELECT 1..2, 1.e5, 0.5;\n");
        assertPasses(ANY_KEY, "COPY t FROM stdin;\n\\.x\n \\.\n\\.\\.\n\\.\r\r\n\\.\nSELECT 1;\n");
    }

    @Test
    @DisplayName("a long COPY data block streams through without being held")
    void longCopyData() {
        StringBuilder sb = new StringBuilder("COPY t (a) FROM stdin;\n");
        char[] longLine = new char[3 * 1024 * 1024];
        Arrays.fill(longLine, 'x');
        sb.append(longLine).append("\\!\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append(i).append("\t\\\\! $$ ' \\.").append('\n');
        }
        sb.append("\\.\nSELECT 1;\n");
        byte[] script = sb.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(readAll(GUARD.filter(new ByteArrayInputStream(script)), 65536)).isEqualTo(script);
        assertThat(readAll(GUARD.filter(new Trickle(script, 70_000)), 1000)).isEqualTo(script);
    }

    @Test
    @DisplayName("psql meta-commands are refused before any of their bytes")
    void metaCommands() {
        assertRefused(GUARD, "SELECT 1;\n\\! touch x\n", "\\!", 2);
        assertRefused(GUARD, "SELECT 1;\n\\o |cmd\nSELECT 2;\n", "\\o", 2);
        assertRefused(GUARD, "\\copy t to program 'x'\n", "\\copy", 1);
        assertRefused(GUARD, "\\set ON_ERROR_STOP 0\n", "\\set", 1);
        assertRefused(GUARD, "-- c\n\\connect x\n", "\\connect", 2);
        assertRefused(GUARD, "SELECT 1; \\! ls\n", "\\!", 1);
        assertRefused(GUARD, "SELECT 1; \\restrict abc123\n", "\\restrict", 1);
        assertRefused(GUARD, "  \\restrict abc123\n", "\\restrict", 1);
        assertRefused(GUARD, "SELECT 1\n\\restrict abc123\n;\n", "\\restrict", 2);
        assertRefused(GUARD, "SELECT 1 \\; \\! id\n", "\\", 1);
        assertRefused(GUARD, "SELECT 1;\n\\.\n", "\\.", 2);
        assertRefused(GUARD, "\\restrict `id`\n", "\\restrict", 1);
        assertRefused(GUARD, "\\restrict abc123 \n", "\\restrict", 1);
        assertRefused(GUARD, "\\restrict " + "a".repeat(5000) + "\n", "\\restrict", 1);
    }

    @Test
    @DisplayName("\\restrict must carry the recorded key and \\unrestrict must match it")
    void restrictKeys() {
        String msg = assertRefused(GUARD, "\\restrict zzz\nSELECT 1;\n", "\\restrict", 1);
        assertThat(msg).contains("key").doesNotContain("zzz");
        assertRefused(GUARD, "SELECT 1;\n\\unrestrict abc123\n", "\\unrestrict", 2);
        assertRefused(ANY_KEY, "\\restrict k1\nSELECT 1;\n\\unrestrict k2\n", "\\unrestrict", 3);
        assertRefused(ANY_KEY, "\\restrict k1\n\\restrict k1\n", "\\restrict k1\n\\restrict", 2);
        assertPasses(ANY_KEY, "\\restrict anyKey9\nSELECT 1;\n\\unrestrict anyKey9\n\\restrict k2\n\\unrestrict k2");
    }

    @Test
    @DisplayName("backslashes after identifiers with $ or fake dollar quotes are seen at top level")
    void dollarQuotes() {
        assertRefused(ANY_KEY, "SELECT x$a$ \\! y $a$;\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT 1$a$ \\! y $a$;\n", "$a$ \\!", 1);
        assertRefused(ANY_KEY, "SELECT $1$a$ \\! y $a$;\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT 1e$a$ \\! y $a$;\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT 1abc \\! y;\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT 1e--x\n\\! y\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT $" + "t".repeat(2000) + "$ $;\n", "$$", 1);
    }

    @Test
    @DisplayName("COPY is accepted only in pg_dump's form, alone on its line, followed by its data block")
    void copy() {
        assertRefused(ANY_KEY, "COPY t FROM STDIN WITH (FORMAT text);\na'b\n\\.\n\\! touch x\n';\n", "COPY", 1);
        assertRefused(ANY_KEY, "COPY t TO PROGRAM 'x';\n", "COPY", 1);
        assertRefused(ANY_KEY, "COPY t\nFROM stdin;\n\\! x\n\\.\n", "COPY", 1);
        assertRefused(ANY_KEY, "COPY t FROM stdin; \\! x\n\\.\n", "COPY", 1);
        assertRefused(ANY_KEY, "SELECT 1;\n  COPY t FROM stdin;\n\\! x\n\\.\n", "COPY", 2);
        assertRefused(ANY_KEY, "COPY BINARY t FROM stdin;\n\\.\n", "COPY", 1);
        assertRefused(ANY_KEY, "COPY (SELECT 1) TO stdout;\n", "COPY", 1);
        assertRefused(ANY_KEY, "COPY \"t FROM stdin;\n\\! x\n\\.\n", "COPY", 1);
        assertRefused(ANY_KEY, "COPY t (a " + "b".repeat(PsqlScriptGuard.MAX_COPY_LINE) + ") FROM stdin;\n",
                "COPY", 1);
        assertRefused(ANY_KEY.withoutCopy(), "SELECT 1;\nCOPY t FROM stdin;\n\\! x\n\\.\n", "COPY", 2);
        // psql's BEGIN ... END heuristic keeps the statement open; the server would run COPY within it
        assertRefused(ANY_KEY, "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS begin; END;\n"
                + "COPY t FROM stdin;\n'\n\\.\n\\! touch x\n'\n;\n", "COPY", 2);
        assertRefused(ANY_KEY, "SELECT (1;\nCOPY t FROM stdin;\n\\! x\n\\.\n", "COPY", 2);
        assertPasses(ANY_KEY, "copy \"s\".\"t \"\"1\"\"\" ( \"a\" , b$ ) from STDIN;\n\\\\.\n\\.\r\nSELECT 1;\n");
    }

    @Test
    @DisplayName("a quote after an odd run of backslashes in a standard string is ambiguous")
    void ambiguousStrings() {
        assertRefused(ANY_KEY, "SELECT 'abc\\' \\! x';\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT 'abc\\\\\\' \\! x';\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT E'a'\n'\\' \\! x';\n", "\\!", 2);
        assertRefused(ANY_KEY, "SELECT B'\\' \\! x';\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT e'\\\\' \\! x';\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT \"a\\\" \\! x\";\n", "\\!", 1);
        assertPasses(ANY_KEY, "SELECT 'abc\\\\', 'a\\b', 'c\\\\''d', fooE'x\\\\';\n");
    }

    @Test
    @DisplayName("comments end where psql ends them")
    void comments() {
        assertRefused(ANY_KEY, "/* */ */ \\! x\n", "\\!", 1);
        assertRefused(ANY_KEY, "-- c\r\\! x\n", "\\!", 1);
        assertRefused(ANY_KEY, "SELECT 1 +-- c\r\\! x\n", "\\!", 1);
        assertPasses(ANY_KEY, "/**/ /*/ */ /* ** / */ SELECT 1; /*\n\\! x\n*/\n");
    }

    @Test
    @DisplayName("psql variable references are refused, casts are not")
    void variables() {
        String msg = assertRefused(ANY_KEY, "SELECT :LAST_ERROR_MESSAGE;\n", ":LAST", 1);
        assertThat(msg).contains("variable");
        assertRefused(ANY_KEY, "SELECT :'x';\n", ":'", 1);
        assertRefused(ANY_KEY, "SELECT :\"x\";\n", ":\"", 1);
        assertRefused(ANY_KEY, "SELECT :{?x};\n", ":{", 1);
        assertRefused(ANY_KEY, "SELECT a:::b;\n", ":b", 1);
        assertRefused(ANY_KEY, "SELECT 'a':x;\n", ":x", 1);
    }

    @Test
    @DisplayName("names of client encodings psql lexes differently are refused")
    void encodings() {
        String msg = assertRefused(ANY_KEY, "SET client_encoding = 'SJIS';\n", ";", 1);
        assertThat(msg).contains("client encoding").contains("sjis");
        assertRefused(ANY_KEY, "SELECT 1;\nSET client_encoding TO sjis;\n", "sjis;", 2);
        assertRefused(ANY_KEY, "SET NAMES 's-jis';\n", ";", 1);
        assertRefused(ANY_KEY, "SELECT set_config('client_encoding', 'Shift_JIS', false);\n", ";", 1);
        assertRefused(ANY_KEY, "DO $$BEGIN EXECUTE 'SET client_encoding = ''big-5'''; END$$;\n", "$$;", 1);
        assertRefused(ANY_KEY, "SET client_encoding = \"Windows_936\";\n", ";", 1);
        assertRefused(ANY_KEY, "SELECT 'gb18030 is accepted by PostgreSQL';\n", ";", 1);
        assertPasses(ANY_KEY, "SET client_encoding = 'UTF8';\nCREATE TABLE big5_table (uhcx int);\n");
    }

    @Test
    @DisplayName("NUL bytes and scripts ending inside a literal, comment or COPY block are refused")
    void truncatedOrBinary() {
        String msg = assertRefused(ANY_KEY, "SELECT 1;\n\0\\! x\n", "\\!", 2);
        assertThat(msg).contains("NUL").contains("\\x00");
        assertThat(assertRefused(ANY_KEY, "SELECT 1;\nSELECT 'abc\n", null, 2)).contains("string literal");
        assertThat(assertRefused(ANY_KEY, "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n", null, 1))
                .contains("dollar-quoted");
        assertThat(assertRefused(ANY_KEY, "SELECT 1;\nCOPY t FROM stdin;\n1\n", null, 2)).contains("COPY data");
        assertThat(assertRefused(ANY_KEY, "SELECT 1; /* x\n", null, 1)).contains("comment");
        assertThat(assertRefused(ANY_KEY, "SELECT \"x\n", null, 1)).contains("quoted identifier");
        assertPasses(ANY_KEY, "COPY t FROM stdin;\n1\n\\.");
        assertPasses(ANY_KEY, "SELECT 1 -- no newline");
    }

    @Test
    @DisplayName("messages quote at most 60 characters, control characters escaped")
    void messages() {
        String msg = assertRefused(ANY_KEY, "SELECT 1;\n\\! " + "y".repeat(200) + "\r\n", "\\!", 2);
        assertThat(msg).contains("line 2").contains("\"\\! yyy").doesNotContain("y".repeat(60));
        msg = assertRefused(ANY_KEY, "\\!\u001b[2J\n", "\\!", 1);
        assertThat(msg).contains("\\x1b[2J").doesNotContain("\u001b");
    }

    // ---- helpers

    /** Reads the script through the filter with every read pattern; the output must equal the input. */
    private static void assertPasses(PsqlScriptGuard guard, String script) {
        byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
        for (int buffer : BUFFERS) {
            for (int trickle : TRICKLES) {
                InputStream source = trickle == 0 ? new ByteArrayInputStream(bytes) : new Trickle(bytes, trickle);
                assertThat(readAll(guard.filter(source), buffer))
                        .as("buffer %d, trickle %d", buffer, trickle).isEqualTo(bytes);
            }
        }
    }

    /**
     * Reads the script through the filter with every read pattern; each must end in {@link UnsafeScriptException}
     * naming the line, and the bytes handed out before must not contain {@code forbidden}.
     *
     * @return the message
     */
    private static String assertRefused(PsqlScriptGuard guard, String script, String forbidden, int line) {
        byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
        String message = null;
        for (int buffer : BUFFERS) {
            for (int trickle : TRICKLES) {
                InputStream source = trickle == 0 ? new ByteArrayInputStream(bytes) : new Trickle(bytes, trickle);
                InputStream in = guard.filter(source);
                ByteArrayOutputStream passed = new ByteArrayOutputStream();
                try {
                    copy(in, passed, buffer);
                    fail("not refused (buffer %d, trickle %d): %s", buffer, trickle, script);
                } catch (UnsafeScriptException e) {
                    message = e.getMessage();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                String out = passed.toString(StandardCharsets.ISO_8859_1);
                assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).startsWith(out);
                if (forbidden != null) {
                    assertThat(out).as("handed out before the refusal").doesNotContain(forbidden);
                }
                assertThat(message).contains("line " + line + ":");
                assertThat(message.substring(message.lastIndexOf(": \"") + 3)).hasSizeLessThanOrEqualTo(
                        4 * PsqlScriptGuard.EXCERPT + 1);
            }
        }
        return message;
    }

    private static byte[] readAll(InputStream in, int buffer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (in) {
            copy(in, out, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, int buffer) throws IOException {
        if (buffer == 1) {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
            }
            return;
        }
        byte[] buf = new byte[buffer];
        int n;
        while ((n = in.read(buf, 1, buffer - 1)) >= 0) {
            out.write(buf, 1, n);
        }
    }

    /** A source that yields at most a few bytes per read, like a slow pipe. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private final int step;
        private int pos;

        Trickle(byte[] data, int step) {
            this.data = data;
            this.step = step;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, step), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
