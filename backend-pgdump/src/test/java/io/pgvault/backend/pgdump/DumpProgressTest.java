package io.pgvault.backend.pgdump;

import io.pgvault.backend.pgdump.DumpProgress.FinishedItem;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines as pg_dump 15.18 printed them with {@code -v -Fd --jobs 2} and LC_MESSAGES=C. */
class DumpProgressTest {
    private static final List<String> REAL = List.of(
            "pg_dump: last built-in OID is 16383",
            "pg_dump: reading extensions",
            "pg_dump: saving search_path = ",
            "pg_dump: saving database definition",
            "pg_dump: saving large objects",
            "pg_dump: finished item 3364 BLOBS BLOBS",
            "pg_dump: dumping contents of table \"public.b\"",
            "pg_dump: dumping contents of table \"public.a\"",
            "pg_dump: finished item 3357 TABLE DATA b",
            "pg_dump: dumping contents of table \"public.we ird\"",
            "pg_dump: finished item 3359 TABLE DATA we ird",
            "pg_dump: finished item 3356 TABLE DATA a");

    @Test
    @DisplayName("the leader's reports give the dump id of each finished table and of the large objects")
    void realReports() {
        assertThat(REAL.stream().flatMap(l -> DumpProgress.finishedItems(l).stream()).toList()).containsExactly(
                new FinishedItem(3364, true), new FinishedItem(3357, false), new FinishedItem(3359, false),
                new FinishedItem(3356, false));
    }

    @Test
    @DisplayName("every -v line is chatter; errors, warnings, details, hints and continuation lines are not")
    void chatter() {
        assertThat(REAL).allMatch(DumpProgress::isChatter);
        assertThat(List.of(
                "pg_dump: error: query failed: ERROR:  permission denied for table secret",
                "pg_dump: detail: Query was: LOCK TABLE public.secret IN ACCESS SHARE MODE",
                "pg_dump: warning: could not find referenced extension 16400",
                "pg_dump: hint: Use the --jobs option",
                "pg_dump: error: a worker process died unexpectedly",
                "pg_dump: [archiver (db)] query failed: ERROR:  permission denied",
                "\tIs the server running on that host and accepting TCP/IP connections?",
                "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"))
                .noneMatch(DumpProgress::isChatter);
    }

    @Test
    @DisplayName("lines whose prefixes other processes moved (as pg_dump 15.18 printed them) are sorted the same")
    void interleavedChatter() {
        assertThat(List.of("pg_dump:pg_dump: dumping contents of table \"public.zz_guarded\"",
                " dumping contents of table \"public.big_3\"", "pg_dump: pg_dump:  finished item 3357 TABLE DATA b"))
                .allMatch(DumpProgress::isChatter);
        assertThat(List.of("pg_dump:pg_dump:  error: query failed: ERROR:  query would be affected by row-level"
                + " security policy for table \"zz_guarded\"", " error: a worker process died unexpectedly"))
                .noneMatch(DumpProgress::isChatter);
    }

    @Test
    @DisplayName("a report is found wherever it stands in a line, also behind another process's prefix")
    void interleaved() {
        assertThat(DumpProgress.finishedItems("pg_dump:pg_dump:  finished item 3357 TABLE DATA b"))
                .containsExactly(new FinishedItem(3357, false));
    }

    @Test
    @DisplayName("a table named to imitate a report yields that report too, so the caller sees it twice")
    void imitation() {
        // a table named "evil<newline>pg_dump: finished item 3356 TABLE DATA a" prints these lines (pg_dump 15.18)
        assertThat(List.of("pg_dump: dumping contents of table \"public.evil",
                "pg_dump: finished item 3356 TABLE DATA a\"",
                "pg_dump: finished item 3366 TABLE DATA evil",
                "pg_dump: finished item 3356 TABLE DATA a").stream()
                .flatMap(l -> DumpProgress.finishedItems(l).stream()).toList())
                .containsExactly(new FinishedItem(3356, false), new FinishedItem(3366, false),
                        new FinishedItem(3356, false));
        assertThat(DumpProgress.finishedItems("pg_dump: finished item 12 TABLE DATA finished item 13 BLOBS x"))
                .containsExactly(new FinishedItem(12, false), new FinishedItem(13, true));
    }

    @Test
    @DisplayName("other items and look-alikes are not data reports")
    void notReports() {
        assertThat(List.of("pg_dump: finished item 12 SEQUENCE SET s", "pg_dump: finished item 12 TABLE DATAX t",
                "pg_dump: finished item x TABLE DATA t", "pg_dump: finished item 99999999999 TABLE DATA t",
                "pg_dump: launching item 12 TABLE DATA t"))
                .allMatch(l -> DumpProgress.finishedItems(l).isEmpty());
    }
}
