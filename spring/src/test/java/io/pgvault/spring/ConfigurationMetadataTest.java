package io.pgvault.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgvault.config.ConfigSchema;
import io.pgvault.config.SettingsBinder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IDE metadata ({@code META-INF/spring-configuration-metadata.json}) is generated from the binder's own schema:
 * this test fails when they differ. Regenerate with
 * {@code scripts/generate-spring-metadata}, or run {@link #main} from the module's directory.
 */
class ConfigurationMetadataTest {
    static final Path FILE = Path.of("src/main/resources/META-INF/spring-configuration-metadata.json");

    @Test
    @DisplayName("spring-configuration-metadata.json lists every property the binder reads (IDE completion of "
            + "pgvault.*), generated, never edited by hand")
    void upToDate() throws Exception {
        String expected = render();
        assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
                .as("regenerate with: java -cp ... io.pgvault.spring.ConfigurationMetadataTest (its main)")
                .isEqualTo(expected);
        assertThat(expected).contains("\"pgvault.repository.s3.bucket\"", "\"pgvault.schedule.backup\"",
                "\"pgvault.tiers\"");
    }

    /** Writes the metadata file (run from the module's directory). */
    public static void main(String[] args) throws Exception {
        Files.writeString(FILE, render(), StandardCharsets.UTF_8);
    }

    static String render() throws Exception {
        List<Map<String, Object>> properties = new ArrayList<>();
        List<Map<String, Object>> hints = new ArrayList<>();
        for (ConfigSchema.Property p : SettingsBinder.schema().properties()) {
            if (p.name().contains("[*]") && !(p.section() && p.name().indexOf("[*]") == p.name().length() - 3)) {
                continue; // inside a list: IDEs cannot complete indexed keys
            }
            Map<String, Object> m = new LinkedHashMap<>();
            String name = p.section() ? p.name().substring(0, p.name().length() - 3) : p.name();
            if (name.contains("[*]")) {
                continue;
            }
            m.put("name", name);
            m.put("type", p.section() ? "java.util.List<java.util.Map<java.lang.String,java.lang.Object>>"
                    : javaType(p.type()));
            m.put("description", p.description());
            if (p.defaultValue() != null) {
                m.put("defaultValue", switch (p.type()) {
                    case "boolean" -> Boolean.valueOf(p.defaultValue());
                    case "integer" -> Integer.valueOf(p.defaultValue());
                    default -> p.defaultValue();
                });
            }
            properties.add(m);
            if (p.type().startsWith("one of ")) {
                List<Map<String, Object>> values = new ArrayList<>();
                for (String v : p.type().substring("one of ".length()).split(", ")) {
                    values.add(ordered("value", v));
                }
                hints.add(ordered("name", name, "values", values));
            }
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("groups", List.of(ordered("name", "pgvault", "type", "io.pgvault.config.PgVaultSettings",
                "description", "pgvault: backups of the application's PostgreSQL database")));
        root.put("properties", properties);
        root.put("hints", hints);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    /** Map.of's order changes from one JVM to the next: the file must not. */
    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static String javaType(String type) {
        return switch (type) {
            case "integer" -> "java.lang.Integer";
            case "boolean" -> "java.lang.Boolean";
            case "duration" -> "java.time.Duration";
            case "path" -> "java.nio.file.Path";
            case "uri" -> "java.net.URI";
            case "zone" -> "java.time.ZoneId";
            case "list of strings" -> "java.util.List<java.lang.String>";
            default -> "java.lang.String";
        };
    }
}
