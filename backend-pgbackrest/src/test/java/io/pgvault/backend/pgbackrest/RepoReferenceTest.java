package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Repos are named by their {@link PgBackRestRepo}, resolved against the config before anything runs. */
class RepoReferenceTest {
    private final PgBackRestRepo local = PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).build();
    private final PgBackRestRepo own = PgBackRestRepo.posix(Path.of("/srv/pgbackrest-own")).retentionFull(2).build();
    private PgBackRest twoRepos() {
        return PgBackRest.of(PgBackRestConfig.builder("main")
                .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/15/main")).build())
                .repo(local).repo(own).configFile(Path.of("/etc/pgvault/pgbackrest.conf")).build());
    }

    @Test
    @DisplayName("the PgBackRestRepo given to the builder (no index yet) names the repo the config numbered")
    void builderObject() {
        PgBackRest p = twoRepos();
        // refused before anything runs, by the repo's own retention: so 'own' resolved to repo2
        assertThatThrownBy(() -> p.plan(RetentionPolicy.fulls(2).build(), own))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("repo2 has its own retention");
        assertThatThrownBy(() -> p.applyRetention(RetentionPolicy.fulls(2).build(), p.config().repo(2),
                PruneMode.DRY_RUN)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("repo2 has its own retention");
    }

    @Test
    @DisplayName("a repo of another configuration, or another index at the same place, is refused naming the repos")
    void foreign() {
        PgBackRest p = twoRepos();
        PgBackRestRepo elsewhere = PgBackRestRepo.posix(Path.of("/mnt/other")).build();
        for (Runnable r : new Runnable[] {() -> p.list(elsewhere), () -> p.verify(elsewhere),
                () -> p.expire(elsewhere), () -> p.backups(elsewhere), () -> p.stanzaDelete(elsewhere, false),
                () -> p.list(local.withIndex(2))}) {
            assertThatThrownBy(r::run).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("is not a repo of stanza main").hasMessageContaining("repo1[posix");
        }
    }
}
