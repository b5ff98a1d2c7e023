package io.pgvault.backend.pgdump;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A script re-keyed under a restrict key of the restore's own; every other byte unchanged. */
class RestrictedScriptTest {
    private static String rekey(String script, int chunk) throws IOException {
        InputStream in = RestrictedScript.wrap(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        });
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("pg_dump's own pair is replaced by a fresh key; the body is byte for byte; in any read sizes")
    void rekeys() throws IOException {
        String body = "SET x = 1;\nCOPY t (a) FROM stdin;\n\\\\unrestrict abc\n\\.\nSELECT 1;\n";
        for (int chunk : new int[] {1, 2, 7, 4096}) {
            String out = rekey("\\restrict abc\n" + body + "\\unrestrict abc\n", chunk);
            assertThat(out).matches("(?s)\\\\restrict [0-9a-f]{48}\n.*").doesNotContain("\\restrict abc\n")
                    .endsWith(body);
            assertThat(out.substring(out.indexOf('\n') + 1)).isEqualTo(body);
        }
    }

    @Test
    @DisplayName("a script without a pair gets the fresh key in front; an unrestrict that is not last stays")
    void withoutPair() throws IOException {
        assertThat(rekey("SELECT 1;\n", 3)).matches("\\\\restrict [0-9a-f]{48}\nSELECT 1;\n");
        String middle = "\\restrict k1\nSELECT 1;\n\\unrestrict k1\nSELECT 2;\n";
        assertThat(rekey(middle, 5)).endsWith("SELECT 1;\n\\unrestrict k1\nSELECT 2;\n");
        String noNewline = "\\restrict k1\nSELECT 1;\n\\unrestrict k1";
        assertThat(rekey(noNewline, 4)).endsWith("\nSELECT 1;\n");
    }

    @Test
    @DisplayName("as pg_dump writes it: the pair inside comment lines is replaced, the comments stay")
    void pgDumpLayout() throws IOException {
        String head = "--\n-- PostgreSQL database dump\n--\n\n";
        String body = "SET a = 1;\nCREATE TABLE t (x int);\n";
        String foot = "\n--\n-- PostgreSQL database dump complete\n--\n\n";
        for (int chunk : new int[] {1, 3, 64, 4096}) {
            String out = rekey(head + "\\restrict Kx9\n\n" + body + "\n\\unrestrict Kx9\n" + foot, chunk);
            assertThat(out.substring(out.indexOf('\n') + 1)).isEqualTo(head + "\n" + body + "\n" + foot);
        }
        // an unrestrict followed by more statements is passed on (psql then refuses it: a failed restore, not a
        // silent one)
        String more = "\\restrict Kx9\nSELECT 1;\n\\unrestrict Kx9\n-- c\nSELECT 2;\n";
        assertThat(rekey(more, 2)).endsWith("SELECT 1;\n\\unrestrict Kx9\n-- c\nSELECT 2;\n");
    }

    @Test
    @DisplayName("two restores never share a key")
    void freshKeys() throws IOException {
        assertThat(rekey("SELECT 1;\n", 100)).isNotEqualTo(rekey("SELECT 1;\n", 100));
    }
}
