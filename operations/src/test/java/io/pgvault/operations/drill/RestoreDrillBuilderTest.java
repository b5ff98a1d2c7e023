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

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link RestoreDrill.Builder#build()} refuses about a pgBackRest drill's target timeline. */
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
    @DisplayName("a target timeline is accepted with a pgBackRest drill and any target but immediate")
    void accepted() {
        assertThatCode(() -> RestoreDrill.builder().pgBackRest(pgbr()).records(LocalRepository.at(dir))
                .workDirectory(Path.of("/tmp")).targetTimeline(TargetTimeline.current()).build())
                .doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a target timeline without pgBackRest, or with the immediate target, is a configuration error")
    void refused() {
        assertThatThrownBy(() -> RestoreDrill.builder().targetTimeline(TargetTimeline.latest()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("apply only to pgBackRest drills");
        assertThatThrownBy(() -> RestoreDrill.builder().pgBackRest(pgbr()).records(LocalRepository.at(dir))
                .workDirectory(Path.of("/tmp")).pitrTarget(RestoreTarget.immediate())
                .targetTimeline(TargetTimeline.of(2)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("targetTimeline cannot be combined with the immediate pitrTarget");
    }
}
