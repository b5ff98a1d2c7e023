package io.pgvault.spring;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

import io.pgvault.config.SettingsBinder;

import java.util.List;


/**
 * Matches when a setting is given under one of the sections (any source, environment included): by default a section
 * pgvault has, so that {@code PGVAULT_HOME} or a Kubernetes service link ({@code PGVAULT_SERVICE_HOST}) does not
 * switch the auto-configuration on.
 */
class OnPgVaultProperties implements Condition {
    private final List<String> sections;

    OnPgVaultProperties() {
        this(SettingsBinder.schema().properties().stream().map(p -> p.name().split("\\.")[1].replaceAll("\\[.*", ""))
                .distinct().map(top -> "pgvault." + top).toList());
    }

    OnPgVaultProperties(List<String> sections) {
        this.sections = sections;
    }

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        List<ConfigurationPropertyName> wanted = sections.stream().map(ConfigurationPropertyName::of).toList();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(context.getEnvironment())) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                for (ConfigurationPropertyName name : iterable) {
                    if (wanted.stream().anyMatch(w -> w.equals(name) || w.isAncestorOf(name))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** {@code pgvault.dump} is set. */
    static final class Dump extends OnPgVaultProperties {
        Dump() {
            super(List.of("pgvault.dump"));
        }
    }

    /** {@code pgvault.pgbackrest} is set. */
    static final class PgBackRestSection extends OnPgVaultProperties {
        PgBackRestSection() {
            super(List.of("pgvault.pgbackrest"));
        }
    }

    /** A job is scheduled. */
    static final class Schedule extends OnPgVaultProperties {
        Schedule() {
            super(List.of("pgvault.schedule.backup", "pgvault.schedule.sync", "pgvault.schedule.drill",
                    "pgvault.schedule.physical-full", "pgvault.schedule.physical-diff",
                    "pgvault.schedule.physical-incr", "pgvault.schedule.mirror"));
        }
    }

}
