package io.pgvault.backend.pgdump;

import io.pgvault.api.PgVaultException;
import io.pgvault.backend.pgdump.PgSession.DatabaseInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerCatalogTest {

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("one answer holds the version, every database in order and every role; names may hold | and quotes")
    void parses() {
        String odd = "dä|ta \"🐘\"\n'x'";
        ServerCatalog c = ServerCatalog.parse(List.of(
                "database|" + hex("app") + "|" + hex("app_owner") + "|UTF8|t|f|16384",
                "database|" + hex(odd) + "|" + hex("postgres") + "|LATIN1|f|t|16385",
                "role|" + hex("app_owner"),
                "role|" + hex(odd),
                "version|150018|" + hex("15.18 (Debian 15.18-0+deb12u1)")));

        assertThat(c.server().num()).isEqualTo(150018);
        assertThat(c.server().major()).isEqualTo(15);
        assertThat(c.server().text()).isEqualTo("15.18 (Debian 15.18-0+deb12u1)");
        assertThat(c.databases()).containsExactly(
                new DatabaseInfo("app", "app_owner", "UTF8", true, false, 16384),
                new DatabaseInfo(odd, "postgres", "LATIN1", false, true, 16385));
        assertThat(c.roles()).containsExactlyInAnyOrder("app_owner", odd);
        assertThat(c.hasDatabase(odd)).isTrue();
        assertThat(c.hasDatabase("dä")).isFalse();
        assertThat(c.database("app")).map(DatabaseInfo::oid).contains(16384L);
    }

    @Test
    @DisplayName("an answer without a version, or with a row it does not know, is an error that quotes it")
    void refusesOtherAnswers() {
        assertThatThrownBy(() -> ServerCatalog.parse(List.of("role|" + hex("x"))))
                .isInstanceOf(PgVaultException.class).hasMessageContaining("no server version");
        assertThatThrownBy(() -> ServerCatalog.parse(List.of("version|150018|" + hex("15"), "?column?")))
                .isInstanceOf(PgVaultException.class).hasMessageContaining("?column?");
        assertThatThrownBy(() -> ServerCatalog.parse(List.of("version|fifteen|" + hex("15"))))
                .isInstanceOf(PgVaultException.class).hasMessageContaining("server catalog");
    }
}
