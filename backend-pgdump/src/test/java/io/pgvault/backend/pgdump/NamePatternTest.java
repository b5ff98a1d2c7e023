package io.pgvault.backend.pgdump;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class NamePatternTest {

    @Test
    @DisplayName("schema.table splits at the unquoted dot and folds unquoted letters to lower case")
    void qualified() {
        NamePattern p = NamePattern.parse("Shop.Orders");
        assertThat(p.schemaRegex()).isEqualTo("^(shop)$");
        assertThat(p.nameRegex()).isEqualTo("^(orders)$");
    }

    @Test
    @DisplayName("wildcards become regular expressions; quoted text is literal, dots and case included")
    void wildcardsAndQuotes() {
        NamePattern p = NamePattern.parse("\"My.Schema\".t_*");
        assertThat(Pattern.matches(p.schemaRegex().substring(1, p.schemaRegex().length() - 1), "My.Schema"))
                .isTrue();
        assertThat(Pattern.compile(p.nameRegex()).matcher("t_2024").matches()).isTrue();
        assertThat(NamePattern.parse("t?").nameRegex()).isEqualTo("^(t.)$");
        assertThat(NamePattern.parse("t").schemaRegex()).isEmpty();
        assertThat(NamePattern.parse("\"a\"\"b\"").nameRegex()).isEqualTo("^(a\"b)$");
    }

    @Test
    @DisplayName("the JSON arrays written into attributes read back exactly")
    void jsonRoundTrip() {
        List<String> values = List.of("plain", "quote \" and \\ backslash", "ünï 🐘", "line\nbreak\t", "");
        assertThat(Sql.parseJsonArray(Sql.jsonArray(values))).isEqualTo(values);
        assertThat(Sql.parseJsonArray("[]")).isEmpty();
    }
}
