package io.pgvault.testkit;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresClusterTest {

    @Test
    @DisplayName("missing binaries are reported with the apt command that installs them")
    void missingBinaries() {
        assertThatThrownBy(() -> PostgresCluster.builder().binDir(Path.of("/nonexistent/bin")).build())
                .isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOOL_MISSING))
                .hasMessageContaining("apt-get install -y postgresql-15")
                .hasMessageContaining("/nonexistent/bin (missing initdb, pg_ctl, postgres)");
    }

    @Test
    @DisplayName("identifiers are always quoted, with inner double quotes doubled")
    void quoteIdentifier() {
        assertThat(PostgresCluster.quoteIdentifier("plain")).isEqualTo("\"plain\"");
        assertThat(PostgresCluster.quoteIdentifier("a \"b\" c")).isEqualTo("\"a \"\"b\"\" c\"");
        assertThat(PostgresCluster.quoteIdentifier("ユーザー")).isEqualTo("\"ユーザー\"");
        assertThatThrownBy(() -> PostgresCluster.quoteIdentifier("")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> PostgresCluster.quoteIdentifier("ユ".repeat(22)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("63 bytes");
        assertThat(PostgresCluster.quoteIdentifier("ユ".repeat(21))).hasSize(23);
    }

    @Test
    @DisplayName("literals double single quotes and keep backslashes")
    void quoteLiteral() {
        assertThat(PostgresCluster.quoteLiteral("it's \\N")).isEqualTo("'it''s \\N'");
        assertThatThrownBy(() -> PostgresCluster.quoteLiteral("nul\0")).isInstanceOf(ConfigurationException.class);
    }

    @Test
    @DisplayName("connection strings quote every value, so no database name reads as a URI or keyword")
    void conninfo() {
        assertThat(Psql.conninfo("127.0.0.1", 5555, "postgres", "it's \\ dbname=x"))
                .isEqualTo("host='127.0.0.1' port=5555 user='postgres' dbname='it\\'s \\\\ dbname=x'");
    }

    @Test
    @DisplayName("psql output is split into rows at NUL and into fields at U+001F, with NULL as null")
    void parseRows() {
        String out = "1\u001fa\nb\u001f" + Psql.NULL_MARKER + "\u001f\0" + "2\u001fx\u001f\u001f\0";
        List<List<String>> rows = Psql.parseRows(out);
        assertThat(rows).containsExactly(Arrays.asList("1", "a\nb", null, ""), List.of("2", "x", "", ""));
        assertThat(Psql.parseRows("")).isEmpty();
    }

    @Test
    @DisplayName("settings are validated together")
    void builderValidation() {
        assertThatThrownBy(() -> PostgresCluster.builder().port(70000).conf("a = 1\nb = 2").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(2));
    }
}
