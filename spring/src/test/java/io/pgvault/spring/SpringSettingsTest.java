package io.pgvault.spring;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.config.PgVaultSettings;
import io.pgvault.operations.health.BackupHealth;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ResourceLoader;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** What an adversarial review of the starter found (each test failed before its fix). */
class SpringSettingsTest {

    private static StandardEnvironment environment(Map<String, Object> variables, String... commandLine) {
        StandardEnvironment env = new StandardEnvironment();
        MutablePropertySources ps = env.getPropertySources();
        ps.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        ps.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        ps.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                variables));
        if (commandLine.length > 0) {
            ps.addFirst(new SimpleCommandLinePropertySource(commandLine));
        }
        return env;
    }

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pgvault.database.host", "127.0.0.1");
        m.put("pgvault.database.name", "app");
        m.put("pgvault.dump.format", "custom");
        m.put("pgvault.repository.local.path", "/tmp/pgvault-review/primary");
        return m;
    }

    private static ConditionContext context(Environment env) {
        return new ConditionContext() {
            public BeanDefinitionRegistry getRegistry() {
                return null;
            }

            public ConfigurableListableBeanFactory getBeanFactory() {
                return null;
            }

            public Environment getEnvironment() {
                return env;
            }

            public ResourceLoader getResourceLoader() {
                return null;
            }

            public ClassLoader getClassLoader() {
                return getClass().getClassLoader();
            }
        };
    }

    @Test
    @DisplayName("Spring's precedence: --pgvault.dump.format on the command line wins over PGVAULT_DUMP_FORMAT")
    void commandLineWinsOverEnvironment() {
        StandardEnvironment env = environment(Map.of("PGVAULT_DUMP_FORMAT", "plain"), "--pgvault.dump.format=directory");
        env.getPropertySources().addLast(new MapPropertySource("application.yml", minimal()));
        assertThat(env.getProperty("pgvault.dump.format")).isEqualTo("directory"); // what Spring itself answers
        env.getPropertySources().addFirst(new MapPropertySource("args", Map.of("pgvault.dump.jobs", "2")));
        PgVaultSettings s = SpringSettings.bind(env);
        assertThat(s.dump().orElseThrow().format()).isEqualTo(PgVaultSettings.DumpFormat.DIRECTORY);
    }

    @Test
    @DisplayName("variables that are not settings (PGVAULT_HOME of the CLI) do not switch the auto-configuration on")
    void notSettingsDoNotActivate() {
        StandardEnvironment env = environment(Map.of("PGVAULT_HOME", "/opt/pgvault"));
        assertThat(new OnPgVaultProperties().matches(context(env), null)).isFalse();
    }

    @Test
    @DisplayName("a health component stays and turns UNKNOWN/DOWN when its repository cannot be listed; it never "
            + "reports UP with no check")
    void healthComponentsDoNotVanishOrTurnUp() throws Exception {
        AtomicBoolean unreachable = new AtomicBoolean();
        Instant at = Instant.now().minusSeconds(60);
        BackupSet set = new BackupSet(BackupId.of("20261201T000000Z-aaaaaa"), "pgdump", BackupType.LOGICAL,
                BackupStatus.COMPLETE, "app", at, at, Optional.empty(), List.of(), Map.of(), Optional.empty());
        BackupHealth health = BackupHealth.builder().listingTtl(Duration.ofMillis(1)).drillAge(null).build();
        health.watch("local:/r", () -> {
            if (unreachable.get()) {
                throw new IllegalStateException("store unreachable");
            }
            return List.of(set);
        });
        PgVaultHealthContributor contributor = new PgVaultHealthContributor(health, "local:/r");
        List<NamedContributor<HealthContributor>> listed = new java.util.ArrayList<>();
        contributor.iterator().forEachRemaining(listed::add);
        unreachable.set(true);
        Thread.sleep(1100); // past the contributor's 1 s reuse, as between Actuator's listing and its calls
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (NamedContributor<HealthContributor> n : listed) {
            var h = ((HealthIndicator) n.getContributor()).health();
            soft.assertThat(h.getStatus()).as(n.getName()).isNotEqualTo(Status.UP);
        }
        List<String> now = new java.util.ArrayList<>();
        contributor.iterator().forEachRemaining(c -> now.add(c.getName()));
        soft.assertThat(now).containsAll(listed.stream().map(NamedContributor::getName).toList());
        soft.assertAll();
    }

    @Test
    @DisplayName("two repositories whose names differ only in punctuation share an indicator: the worse status (one "
            + "unreachable: not UP), and each one's checks in the details under its own name")
    void collidingComponentNames() {
        Instant fresh = Instant.now().minusSeconds(60);
        BackupHealth health = BackupHealth.builder().listingTtl(Duration.ofMillis(1)).drillAge(null).build();
        health.watch("a.b", () -> List.of(new BackupSet(BackupId.of("20261201T000000Z-aaaaaa"), "pgdump",
                BackupType.LOGICAL, BackupStatus.COMPLETE, "app", fresh, fresh, Optional.empty(), List.of(), Map.of(),
                Optional.empty())));
        health.watch("a-b", () -> {
            throw new IllegalStateException("store unreachable");
        });
        PgVaultHealthContributor contributor = new PgVaultHealthContributor(health, "local:/r");
        var h = ((HealthIndicator) contributor.getContributor("a-b")).health();
        assertThat(h.getStatus()).as("%s", h.getDetails()).isNotEqualTo(Status.UP);
        assertThat(h.getDetails().keySet()).anySatisfy(k -> assertThat(k).startsWith("repository:a.b "))
                .anySatisfy(k -> assertThat(k).startsWith("repository:a-b "));
    }

    @Test
    @DisplayName("a list in a profile's file replaces the base file's list (Spring Boot's rule), it is not merged "
            + "element by element")
    void profileListReplacesBaseList() {
        StandardEnvironment env = environment(Map.of());
        Map<String, Object> prod = new LinkedHashMap<>();
        prod.put("pgvault.dump.databases[0]", "prod");
        env.getPropertySources().addLast(new MapPropertySource("application-prod.yml", prod));
        Map<String, Object> base = minimal();
        base.put("pgvault.dump.databases[0]", "app");
        base.put("pgvault.dump.databases[1]", "scratch");
        env.getPropertySources().addLast(new MapPropertySource("application.yml", base));
        assertThat(SpringSettings.bind(env).dump().orElseThrow().databases()).containsExactly("prod");
    }

    @Test
    @DisplayName("an emptied list (tiers: [] in a profile, which Spring flattens to pgvault.tiers='') is no unknown key")
    void emptiedListIsNoUnknownKey() {
        StandardEnvironment env = environment(Map.of());
        Map<String, Object> m = minimal();
        m.put("pgvault.tiers", "");
        env.getPropertySources().addLast(new MapPropertySource("application.yml", m));
        assertThat(SpringSettings.bind(env).tiers()).isEmpty();
    }
}
