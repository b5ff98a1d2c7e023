package io.pgvault.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvault.api.PgVault;
import io.pgvault.api.event.VaultListener;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.config.PgVaultSettings;
import io.pgvault.config.VaultAssembly;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.metrics.JobMetrics;
import io.pgvault.operations.metrics.VaultMetrics;
import io.pgvault.operations.schedule.JobResult;
import io.pgvault.operations.schedule.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * pgvault from {@code pgvault.*} properties: the settings, the {@link VaultAssembly}, a {@link PgVault} bean when
 * {@code pgvault.dump} is set, the pgBackRest facade when {@code pgvault.pgbackrest} is set, {@link BackupHealth}
 * ({@link VaultAssembly#health()}) as an Actuator health contributor ({@code pgvault}), meters in the application's
 * {@link MeterRegistry}, and the scheduler started and stopped with the context. Every bean backs off when the application defines its own.
 *
 * <p>Active when any {@code pgvault.*} property is set and {@code pgvault.enabled} is not {@code false}. The
 * application's {@link Clock} bean, if any, is the time source of everything; its {@link DataSource}, when it points
 * at the backed-up database (same host, port and database), carries the advisory locks and the job store.
 *
 * @since 0.6.0
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(PgVault.class)
@ConditionalOnProperty(prefix = "pgvault", name = "enabled", havingValue = "true", matchIfMissing = true)
@Conditional(OnPgVaultProperties.class)
public class PgVaultAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(PgVaultAutoConfiguration.class);

    /** Created by Spring. */
    public PgVaultAutoConfiguration() {
    }

    /**
     * @param environment the application's environment
     * @return the bound settings; start-up fails listing every problem with its property path
     */
    @Bean
    @ConditionalOnMissingBean
    public PgVaultSettings pgVaultSettings(ConfigurableEnvironment environment) {
        return SpringSettings.bind(environment);
    }

    /**
     * @param settings    the settings
     * @param clock       the application's clock, if it has one
     * @param dataSources the application's data source, if it has one
     * @param listeners   every {@link VaultListener} bean (pgvault's meters among them when Micrometer is present)
     * @param environment the environment, for {@code spring.datasource.url} (else the DataSource's own URL)
     * @return everything the settings describe, built; closed with the context
     */
    @Bean
    @ConditionalOnMissingBean
    public VaultAssembly pgVaultAssembly(PgVaultSettings settings, ObjectProvider<Clock> clock,
            ObjectProvider<DataSource> dataSources, ObjectProvider<VaultListener> listeners,
            ConfigurableEnvironment environment) {
        VaultAssembly.Builder b = VaultAssembly.builder(settings);
        clock.ifAvailable(b::clock);
        listeners.orderedStream().forEach(b::listener);
        DataSource ds = dataSources.getIfUnique();
        if (ds != null && settings.database().isPresent() && DataSources.sameDatabase(
                DataSources.urlOf(ds, environment.getProperty("spring.datasource.url")), settings.database().get())) {
            LOG.info("pgvault uses the application's DataSource for its advisory locks and job store");
            b.database(ConnectionSource.of(ds));
        }
        return b.build();
    }

    /**
     * @param assembly the assembly
     * @return the vault of logical backups
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnPgVaultProperties.Dump.class)
    public PgVault pgVault(VaultAssembly assembly) {
        return assembly.vault().orElseThrow();
    }

    /**
     * @param assembly the assembly
     * @param onResult told every job result (pgvault's job meters when Micrometer is present)
     * @return the scheduler of the configured jobs (started and stopped by {@code pgVaultSchedulerLifecycle})
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnPgVaultProperties.Schedule.class)
    public Scheduler pgVaultScheduler(VaultAssembly assembly, ObjectProvider<Consumer<JobResult>> onResult) {
        List<Consumer<JobResult>> all = onResult.orderedStream().toList();
        return assembly.scheduler(all.isEmpty() ? null : r -> all.forEach(c -> c.accept(r)));
    }

    /**
     * @param scheduler the scheduler
     * @return its lifecycle: started with the context, stopped (running jobs get 5 minutes) when it closes
     */
    @Bean
    @ConditionalOnMissingBean(name = "pgVaultSchedulerLifecycle")
    @Conditional(OnPgVaultProperties.Schedule.class)
    public SmartLifecycle pgVaultSchedulerLifecycle(Scheduler scheduler) {
        return new PgVaultLifecycle(scheduler, Duration.ofMinutes(5));
    }

    /** The pgBackRest facade, when the module is present and {@code pgvault.pgbackrest} is set. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.pgvault.backend.pgbackrest.PgBackRest")
    @Conditional(OnPgVaultProperties.PgBackRestSection.class)
    static class PhysicalBackups {
        @Bean
        @ConditionalOnMissingBean
        PgBackRest pgVaultPgBackRest(VaultAssembly assembly) {
            return assembly.pgBackRest().orElseThrow();
        }
    }

    /** Actuator health: {@code /actuator/health/pgvault}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthContributor")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "pgvaultHealthContributor")
        PgVaultHealthContributor pgvaultHealthContributor(VaultAssembly assembly) {
            // BackupHealth is not a bean of its own: its watchMirror(PgBackRestMirror) would make Spring's
            // introspection fail in applications without pgvault-backend-pgbackrest; it is VaultAssembly.health()
            return new PgVaultHealthContributor(assembly.health(),
                    assembly.vault().map(v -> v.repository().id()).orElse(null));
        }
    }

    /** Micrometer: pgvault's meters in the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        VaultMetrics pgVaultMetrics(ObjectProvider<Clock> clock, MeterRegistry registry) {
            VaultMetrics.Builder b = VaultMetrics.builder();
            clock.ifAvailable(b::clock);
            VaultMetrics metrics = b.build();
            metrics.bindTo(registry);
            return metrics;
        }

        @Bean
        @ConditionalOnMissingBean
        JobMetrics pgVaultJobMetrics(ObjectProvider<Clock> clock, MeterRegistry registry) {
            JobMetrics m = new JobMetrics(clock.getIfAvailable(Clock::systemUTC));
            m.bindTo(registry);
            return m;
        }

        /** Backups another replica took reach this one's gauges through the shared catalog, re-read each TTL. */
        @Bean
        SmartLifecycle pgVaultMetricsRefresh(VaultMetrics metrics, VaultAssembly assembly, PgVaultSettings settings) {
            return new MetricsRefresh(metrics, assembly.vault(), settings.health().listingTtl());
        }
    }
}
