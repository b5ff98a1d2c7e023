package io.pgvault.config;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.ConfigurationException;
import io.pgvault.operations.schedule.Job;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VaultAssemblyTest {
    @TempDir
    Path dir;

    private Map<String, String> settings() throws Exception {
        Path identity = dir.resolve("identity.txt");
        Files.writeString(identity, AgeKeys.generateIdentity().reveal() + "\n");
        Map<String, String> m = new java.util.LinkedHashMap<>(SettingsBinderTest.minimal());
        m.remove("pgvault.database.password");
        m.put("pgvault.repository.local.path", dir.resolve("primary").toString());
        m.put("pgvault.pipeline.identity", "file:" + identity);
        m.put("pgvault.tiers[0].name", "copy");
        m.put("pgvault.tiers[0].repository.local.path", dir.resolve("tier").toString());
        m.put("pgvault.tiers[0].retention.keep-last", "3");
        m.put("pgvault.retention.daily", "7");
        m.put("pgvault.schedule.backup", "0 2 * * *");
        m.put("pgvault.schedule.guard", "false");
        return m;
    }

    @Test
    @DisplayName("settings build a vault with its tier, an X25519 pipeline from a file reference, and the backup job")
    void builds() throws Exception {
        VaultAssembly a = VaultAssembly.builder(SettingsBinder.bind(ConfigTree.of(settings()))).build();
        assertThat(a.vault()).hasValueSatisfying(v -> {
            assertThat(v.repository().id()).isEqualTo("local:" + dir.resolve("primary"));
            assertThat(v.tiers()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("copy"));
        });
        assertThat(a.jobs()).extracting(Job::name).containsExactly("backup");
        assertThat(a.pgBackRest()).isEmpty();
    }

    @Test
    @DisplayName("every problem found while building is reported at once, with its property path and no secret")
    void buildProblemsAtOnce() throws Exception {
        Map<String, String> m = settings();
        m.put("pgvault.pipeline.identity", "env:PGVAULT_TEST_UNSET_4F2A");
        m.put("pgvault.database.password", "file:" + dir.resolve("missing-password"));
        m.put("pgvault.tiers[0].repository.local.path", dir.resolve("primary").toString());
        assertThatThrownBy(() -> VaultAssembly.builder(SettingsBinder.bind(ConfigTree.of(m))).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("pgvault.pipeline.identity references environment "
                                + "variable PGVAULT_TEST_UNSET_4F2A, which is not set"))
                        .anySatisfy(p -> assertThat(p).contains("pgvault.database.password references file")
                                .contains("cannot be read")));
    }

    @Test
    @DisplayName("a cron the scheduler cannot read is a problem naming pgvault.schedule")
    void badCron() throws Exception {
        Map<String, String> m = settings();
        m.put("pgvault.schedule.backup", "at two every night");
        VaultAssembly a = VaultAssembly.builder(SettingsBinder.bind(ConfigTree.of(m))).build();
        assertThatThrownBy(() -> a.scheduler(null)).isInstanceOfSatisfying(ConfigurationException.class,
                e -> assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p)
                        .startsWith("pgvault.schedule")));
    }
}
