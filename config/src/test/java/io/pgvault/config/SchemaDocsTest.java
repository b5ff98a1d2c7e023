package io.pgvault.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md lists every property the binder reads: generated from the schema, so it cannot drift. */
class SchemaDocsTest {
    static final Path DOC = Path.of("../docs/configuration.md");
    static final String BEGIN = "<!-- generated from SettingsBinder.schema() by SchemaDocsTest.main: do not edit -->\n";
    static final String END = "<!-- end of generated table -->\n";

    @Test
    @DisplayName("docs/configuration.md's property table is the binder's schema")
    void upToDate() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        assertThat(doc).contains(BEGIN, END);
        String current = doc.substring(doc.indexOf(BEGIN) + BEGIN.length(), doc.indexOf(END));
        assertThat(current).as("regenerate: run SchemaDocsTest.main from config/").isEqualTo(render());
    }

    /** Rewrites the table in place (run from the config module's directory). */
    public static void main(String[] args) throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int from = doc.indexOf(BEGIN) + BEGIN.length();
        Files.writeString(DOC, doc.substring(0, from) + render() + doc.substring(doc.indexOf(END)),
                StandardCharsets.UTF_8);
    }

    static String render() {
        StringBuilder sb = new StringBuilder("| property | type | default | meaning |\n|---|---|---|---|\n");
        for (ConfigSchema.Property p : SettingsBinder.schema().properties()) {
            sb.append("| `").append(p.name()).append("` | ").append(p.type()).append(" | ")
                    .append(p.defaultValue() == null ? "—" : "`" + p.defaultValue() + "`").append(" | ")
                    .append(p.description().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
