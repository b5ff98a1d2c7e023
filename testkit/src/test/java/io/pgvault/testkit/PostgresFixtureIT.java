package io.pgvault.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresFixtureIT {

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create(b -> b.conf("work_mem = '5MB'"));

    private static final Set<Integer> SHARED_PORTS = ConcurrentHashMap.newKeySet();

    @AfterAll
    static void oneClusterServedTheWholeClass() {
        assertThat(SHARED_PORTS).hasSize(1);
    }

    @Test
    @DisplayName("a static fixture starts one cluster for the class, built with the customizer")
    void sharedClusterRuns() {
        SHARED_PORTS.add(pg.cluster().port());
        assertThat(pg.cluster().isRunning()).isTrue();
        assertThat(pg.cluster().queryValue("postgres", "SHOW work_mem")).isEqualTo("5MB");
        assertThat(pg.connection().port()).isEqualTo(pg.cluster().port());
    }

    @Test
    @DisplayName("test methods may ask for the cluster as a parameter")
    void parameterInjection(PostgresCluster cluster) {
        SHARED_PORTS.add(cluster.port());
        assertThat(cluster).isSameAs(pg.cluster());
        assertThat(pg.connection("postgres").database()).isEqualTo("postgres");
    }

    @Nested
    @DisplayName("in a nested class")
    class NestedTests {
        @Test
        @DisplayName("the outer class's cluster is shared, and survives the nested class")
        void sharesTheOuterCluster() {
            SHARED_PORTS.add(pg.cluster().port());
            assertThat(pg.cluster().isRunning()).isTrue();
        }
    }

    @Nested
    @DisplayName("as an instance field")
    class PerTest {
        @RegisterExtension
        final PostgresFixture own = PostgresFixture.create();

        private final Set<Integer> ports = ConcurrentHashMap.newKeySet();

        @Test
        @DisplayName("each test gets its own cluster, apart from the shared one")
        void ownCluster() {
            assertThat(own.cluster().isRunning()).isTrue();
            assertThat(own.cluster().port()).isNotEqualTo(pg.cluster().port());
            ports.add(own.cluster().port());
        }
    }
}
