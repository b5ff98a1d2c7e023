package io.pgvault.config;

import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an adversarial review of the configuration found (each test failed before its fix). */
class ConfigEdgeCasesTest {

    /** The smallest valid logical configuration, without a password. */
    static Map<String, String> minimal() {
        Map<String, String> m = new LinkedHashMap<>(SettingsBinderTest.minimal());
        m.remove("pgvault.database.password");
        m.remove("pgvault.dump.jobs");
        m.put("pgvault.dump.format", "custom");
        return m;
    }

    /** tiers[0]: an S3 store on a port nothing listens on, one attempt. */
    private static void unreachableTier(Map<String, String> m) {
        m.put("pgvault.tiers[0].name", "offsite");
        m.put("pgvault.tiers[0].repository.s3.bucket", "backups");
        m.put("pgvault.tiers[0].repository.s3.endpoint", "http://127.0.0.1:9");
        m.put("pgvault.tiers[0].repository.s3.path-style", "true");
        m.put("pgvault.tiers[0].repository.s3.max-attempts", "1");
        m.put("pgvault.tiers[0].repository.s3.credentials", "static");
        m.put("pgvault.tiers[0].repository.s3.access-key-id", "AKIAREVIEW");
        m.put("pgvault.tiers[0].repository.s3.secret-access-key", "env:PATH");
    }

    @Test
    @DisplayName("an environment variable replaces a list from the file (Spring Boot's rule), it does not append to it")
    void environmentListReplacesFileList() {
        Map<String, String> m = minimal();
        m.put("pgvault.dump.databases[0]", "app");
        m.put("pgvault.dump.databases[1]", "audit");
        PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m, Map.of("PGVAULT_DUMP_DATABASES", "billing")));
        assertThat(s.dump().orElseThrow().databases()).containsExactly("billing");
        PgVaultSettings indexed = SettingsBinder.bind(ConfigTree.of(m, Map.of("PGVAULT_DUMP_DATABASES_0", "x")));
        assertThat(indexed.dump().orElseThrow().databases()).containsExactly("x");
    }

    @Test
    @DisplayName("a list in a higher source replaces the lower one's whole; an emptied list is no unknown key")
    void layeredLists() {
        Map<String, String> base = minimal();
        base.put("pgvault.dump.databases[0]", "app");
        base.put("pgvault.dump.databases[1]", "scratch");
        base.put("pgvault.tiers[0].name", "t");
        base.put("pgvault.tiers[0].repository.local.path", "/tmp/t");
        PgVaultSettings s = SettingsBinder.bind(ConfigTree.layered(List.of(Map.of("pgvault.dump.databases[0]",
                "prod", "pgvault.tiers", ""), base)));
        assertThat(s.dump().orElseThrow().databases()).containsExactly("prod");
        assertThat(s.tiers()).isEmpty();
    }

    @Test
    @DisplayName("PGVAULT_* variables Kubernetes injects for a Service named pgvault do not stop start-up")
    void kubernetesServiceLinks() {
        assertThatCode(() -> SettingsBinder.bind(ConfigTree.of(minimal(), Map.of(
                "PGVAULT_SERVICE_HOST", "10.0.0.7", "PGVAULT_SERVICE_PORT", "8080",
                "PGVAULT_PORT", "tcp://10.0.0.7:8080")))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a secret referenced as env:PGVAULT_DATABASE_PASSWORD is the reference, not an inline value")
    void secretVariableNamedLikeItsProperty() {
        Map<String, String> m = minimal();
        m.put("pgvault.database.password", "env:PGVAULT_DATABASE_PASSWORD");
        PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m, Map.of("PGVAULT_DATABASE_PASSWORD", "s3cr3t")));
        assertThat(s.database().orElseThrow().password()).hasValue(new SecretRef(SecretRef.Kind.ENV,
                "PGVAULT_DATABASE_PASSWORD"));
    }

    @Test
    @DisplayName("a list with a gap (tiers[0], tiers[5]) is a problem, not two tiers")
    void listWithGap() {
        Map<String, String> m = minimal();
        m.put("pgvault.tiers[0].name", "a");
        m.put("pgvault.tiers[0].repository.local.path", "/tmp/pgvault-review/a");
        m.put("pgvault.tiers[5].name", "b");
        m.put("pgvault.tiers[5].repository.local.path", "/tmp/pgvault-review/b");
        assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("pgvault.tiers has elements [0, 5]")));
    }

    @Test
    @DisplayName("a tier whose S3 store is unreachable is a problem reported with the others, not a raw exception "
            + "that hides them")
    void unreachableTierIsReportedWithTheOtherProblems() {
        Map<String, String> m = minimal();
        unreachableTier(m);
        m.put("pgvault.tiers[1].name", "other");
        m.put("pgvault.tiers[1].repository.local.path", "/tmp/pgvault-review/other");
        m.put("pgvault.tiers[1].pipeline.passphrase", "env:PGVAULT_REVIEW_UNSET_VARIABLE");
        PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m));
        assertThatThrownBy(() -> VaultAssembly.builder(s).build()).isInstanceOfSatisfying(
                ConfigurationException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("pgvault.tiers[0].repository.s3"))
                        .anySatisfy(p -> assertThat(p).startsWith("pgvault.tiers[1].pipeline.passphrase")));
    }

    @Test
    @DisplayName("when the only problem is a store out of reach, the build fails as unavailable (RepositoryException), "
            + "not as misconfigured: a script can tell an outage from a typo")
    void unreachableAloneIsNotAConfigurationProblem() {
        Map<String, String> m = minimal();
        unreachableTier(m);
        PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m));
        assertThatThrownBy(() -> VaultAssembly.builder(s).build())
                .isExactlyInstanceOf(io.pgvault.api.RepositoryException.class)
                .hasMessageStartingWith("pgvault.tiers[0].repository.s3: unavailable: ");
    }

    @Test
    @DisplayName("a YAML value with a wrong explicit tag is a ConfigurationException that does not quote the value")
    void yamlTagErrorDoesNotQuoteTheValue(@TempDir Path dir) throws Exception {
        for (String tag : new String[] {"!!int", "!!float", "!!timestamp", "!!bool", "!!binary"}) {
            Path f = dir.resolve("t.yml");
            Files.writeString(f, "pgvault:\n  database:\n    password: " + tag + " hunter2inclear\n");
            // either the file is refused, or the odd value is refused as an inline secret: never quoted
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigSources.load(f, Map.of()))).as(tag)
                    .isInstanceOf(ConfigurationException.class).hasMessageNotContaining("hunter2");
        }
    }

    @Test
    @DisplayName("an inline secret that starts with file: and holds a NUL is refused without a raw exception")
    void secretWithNul() {
        Map<String, String> m = minimal();
        m.put("pgvault.database.password", "file:/hunter2" + (char) 0 + "in-clear");
        assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m))).isInstanceOf(ConfigurationException.class)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    @DisplayName("a secret file that is not a secret (too large: /dev/zero, a log) is refused, its content unread")
    void hugeSecretFile(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big");
        Files.write(big, new byte[(int) SecretRef.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> new SecretRef(SecretRef.Kind.FILE, big.toString()).resolve("pgvault.x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("larger than");
    }

    @Test
    @DisplayName("the schema (and so the IDE metadata) gives no default for optional integers, not their minimum")
    void schemaDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        SettingsBinder.schema().properties().forEach(p -> defaults.put(p.name(), p.defaultValue()));
        assertThat(defaults.get("pgvault.pipeline.work-factor")).isNull();
        assertThat(defaults.get("pgvault.retention.keep-last")).isNull();
    }
}
