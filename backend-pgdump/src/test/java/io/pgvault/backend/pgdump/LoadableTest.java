package io.pgvault.backend.pgdump;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which restores into an older server are refused before anything is created, and how versions are read. */
class LoadableTest {
    private static final PgSession.ServerVersion PG16 = new PgSession.ServerVersion(160010, "16.10");
    private static final PgSession.ServerVersion PG15 = new PgSession.ServerVersion(150018, "15.18");
    private static final PgSession.ServerVersion PG17 = new PgSession.ServerVersion(170012, "17.12");

    @Test
    @DisplayName("refused: a plain script of pg_dump 17+ into 16 or older, and any pg_restore 17+ into 16 or older")
    void refused() {
        assertThat(Restorer.whyNotLoadable(DumpFormat.PLAIN, 17, 0, PG16)).hasValueSatisfying(
                w -> assertThat(w).contains("pg_dump 17", "transaction_timeout"));
        assertThat(Restorer.whyNotLoadable(DumpFormat.CUSTOM, 16, 17, PG16)).hasValueSatisfying(
                w -> assertThat(w).contains("pg_restore", "version 17").doesNotContain("cannot read"));
        assertThat(Restorer.whyNotLoadable(DumpFormat.DIRECTORY, 18, 18, PG15)).hasValueSatisfying(
                w -> assertThat(w).contains("cannot read this set", "PostgreSQL 18 or newer"));
    }

    @Test
    @DisplayName("allowed: the same or a newer target, a pg_dump 16 script into 15 (not promised, usually works), "
            + "a custom set restored with the target's own pg_restore, and sets that name no pg_dump")
    void allowed() {
        assertThat(Restorer.whyNotLoadable(DumpFormat.PLAIN, 17, 0, PG17)).isEmpty();
        assertThat(Restorer.whyNotLoadable(DumpFormat.CUSTOM, 18, 18, PG17)).isEmpty();
        assertThat(Restorer.whyNotLoadable(DumpFormat.PLAIN, 16, 0, PG15)).isEmpty();
        assertThat(Restorer.whyNotLoadable(DumpFormat.CUSTOM, 16, 16, PG16)).isEmpty();
        assertThat(Restorer.whyNotLoadable(DumpFormat.PLAIN, 0, 0, PG15)).isEmpty();
    }

    @Test
    @DisplayName("tool versions: Debian's and upstream's lines, pre-10 versions on the server's scale, odd input")
    void toolMajor() {
        assertThat(PgSession.toolMajor("pg_dump (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)")).hasValue(17);
        assertThat(PgSession.toolMajor("pg_restore (PostgreSQL) 18.6\n")).hasValue(18);
        assertThat(PgSession.toolMajor("pg_dump (PostgreSQL) 9.6.24")).hasValue(906);
        assertThat(PgSession.toolMajor("pg_dump (PostgreSQL) 99999999999999999999")).isEmpty();
        assertThat(PgSession.toolMajor("evil pg_dump (PostgreSQL) 17")).isEmpty();
        assertThat(PgSession.toolMajor(null)).isEmpty();
    }
}
