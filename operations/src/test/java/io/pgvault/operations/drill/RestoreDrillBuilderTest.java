package io.pgvault.operations.drill;

import io.pgvault.api.ConfigurationException;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetTimeline;
import io.pgvault.storage.local.LocalRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the two drill builders refuse: each has only its own kind's options, so what is left to refuse is a missing
 * source and combinations within one kind.
 */
class RestoreDrillBuilderTest {
    @TempDir
    Path dir;

    private PgBackRest pgbr() {
        return PgBackRest.of(PgBackRestConfig.builder("main")
                .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/15/main")).build())
                .repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).build())
                .configFile(Path.of("/etc/pgvault/pgbackrest.conf")).build());
    }

    @Test
    @DisplayName("a target timeline is accepted with any target but immediate")
    void accepted() {
        assertThatCode(() -> PhysicalDrill.builder().pgBackRest(pgbr()).records(LocalRepository.at(dir))
                .workDirectory(Path.of("/tmp")).targetTimeline(TargetTimeline.current()).build())
                .doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a target timeline with the immediate target is a configuration error")
    void refused() {
        assertThatThrownBy(() -> PhysicalDrill.builder().pgBackRest(pgbr()).records(LocalRepository.at(dir))
                .workDirectory(Path.of("/tmp")).pitrTarget(RestoreTarget.immediate())
                .targetTimeline(TargetTimeline.of(2)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("targetTimeline cannot be combined with the immediate pitrTarget");
    }

    @Test
    @DisplayName("a physical drill needs its stanza, and records when it records; every problem is reported at once")
    void physicalNeedsStanzaAndRecords() {
        assertThatThrownBy(() -> PhysicalDrill.builder().workDirectory(Path.of("relative dir")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("a pgBackRest stanza is required")
                .hasMessageContaining("needs records(repository)")
                .hasMessageContaining("may hold only letters");
        assertThatCode(() -> PhysicalDrill.builder().pgBackRest(pgbr()).record(false).build())
                .doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a logical drill needs its vault and checks its own settings")
    void logicalNeedsVault() {
        assertThatThrownBy(() -> LogicalDrill.builder().jobs(0).locale("C UTF").serverSetting("a\nb")
                .serverUser("-x").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("a vault is required")
                .hasMessageContaining("jobs must be 1..64")
                .hasMessageContaining("locale must be a locale name")
                .hasMessageContaining("a server setting must be one line")
                .hasMessageContaining("invalid serverUser");
    }

    @Test
    @DisplayName("the options of one kind do not exist on the other kind's builder")
    void optionsBelongToOneKind() {
        java.util.Set<String> logical = publicMethods(LogicalDrill.Builder.class);
        java.util.Set<String> physical = publicMethods(PhysicalDrill.Builder.class);
        assertThat(logical).contains("vault", "jobs", "includeGlobals", "prepareSql", "rowCounts", "locale",
                "durable", "serverSetting", "assertion", "amcheck", "backupId")
                .doesNotContain("pgBackRest", "pitrTarget", "targetTimeline", "repo");
        assertThat(physical).contains("pgBackRest", "pitrTarget", "targetTimeline", "repo", "assertion", "amcheck",
                "records", "backupId")
                .doesNotContain("vault", "jobs", "includeGlobals", "prepareSql", "rowCounts", "locale", "durable",
                        "serverSetting");
    }

    private static java.util.Set<String> publicMethods(Class<?> type) {
        return java.util.Arrays.stream(type.getMethods()).map(java.lang.reflect.Method::getName)
                .collect(java.util.stream.Collectors.toSet());
    }
}
