package io.pgvault.examples.spring;

import io.pgvault.config.ConfigSources;
import io.pgvault.config.PgVaultSettings;
import io.pgvault.config.SettingsBinder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApplicationYmlTest {
    @Test
    @DisplayName("the example's application.yml (the README's Spring Boot quickstart) binds without a problem")
    void binds() {
        PgVaultSettings s = SettingsBinder.bind(ConfigSources.load(Path.of("src/main/resources/application.yml"),
                Map.of()));
        assertThat(s.tiers()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("offsite"));
        assertThat(s.schedule().backup()).hasValue("0 2 * * *");
        assertThat(s.retention().orElseThrow().monthly()).isEqualTo(12);
    }
}
