package io.pgvault.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvault.api.PgVault;
import io.pgvault.config.VaultAssembly;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration in applications that lack the optional jars: no Micrometer, no Actuator, no JDBC. */
class OptionalJarsTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PgVaultAutoConfiguration.class))
                .withPropertyValues("pgvault.database.host=127.0.0.1", "pgvault.dump.format=custom",
                        "pgvault.repository.local.path=" + dir.resolve("repo"), "pgvault.accept-unauthenticated=true");
    }

    @Test
    @DisplayName("without micrometer-core, Actuator, a DataSource or the pgBackRest module the vault still starts (the "
            + "review found it crashed on MeterBinder)")
    void withoutMicrometerActuatorOrJdbc() {
        runner().withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                "javax.sql", "com.zaxxer", "io.pgvault.backend.pgbackrest")).run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx).hasSingleBean(PgVault.class).hasSingleBean(VaultAssembly.class)
                            .doesNotHaveBean(PgVaultHealthContributor.class);
                });
    }

    @Test
    @DisplayName("with Micrometer and a registry, pgvault's meters are bound to it")
    void withMicrometer() {
        runner().withBean(MeterRegistry.class, io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(MeterRegistry.class).find("pgvault.backup.last.success.age").meters())
                            .isNotEmpty();
                });
    }

    @Test
    @DisplayName("pgvault.pgbackrest alone: a PgBackRest bean and no PgVault")
    void physicalOnly() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PgVaultAutoConfiguration.class))
                .withPropertyValues("pgvault.pgbackrest.stanza=main",
                        "pgvault.pgbackrest.config-file=" + dir.resolve("pgbackrest.conf"),
                        "pgvault.pgbackrest.data-directory=" + dir.resolve("data"),
                        "pgvault.pgbackrest.run-as=postgres",
                        "pgvault.pgbackrest.repos[0].path=" + dir.resolve("repo1"))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().doesNotHaveBean(PgVault.class);
                    assertThat(ctx).hasSingleBean(io.pgvault.backend.pgbackrest.PgBackRest.class);
                });
    }

    @Test
    @DisplayName("nothing at all without pgvault settings (a property named like the CLI's PGVAULT_HOME is none)")
    void backsOff() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(PgVaultAutoConfiguration.class))
                .withPropertyValues("PGVAULT_HOME=/opt").run(ctx -> assertThat(ctx).doesNotHaveBean(
                        VaultAssembly.class));
    }
}
