package io.pgvault.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

class PostgresFixtureTest {

    /** Run only through the launcher below (surefire skips nested classes). */
    static class MissingBinariesSample {
        @RegisterExtension
        static PostgresFixture pg = PostgresFixture.create(b -> b.binDir(Path.of("/nonexistent/postgresql/bin")));

        @Test
        void needsPostgres() {
            pg.cluster();
        }
    }

    @Test
    @DisplayName("missing server binaries fail the test class (not skip it) with the apt command that installs them")
    void missingBinariesFailClearly() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(MissingBinariesSample.class)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();

        assertThat(summary.getTestsSucceededCount()).isZero();
        assertThat(summary.getTestsSkippedCount()).isZero();
        assertThat(summary.getTotalFailureCount()).isEqualTo(1);
        Throwable failure = summary.getFailures().get(0).getException();
        assertThat(failure).hasMessageContaining("apt-get install -y postgresql-15")
                .hasMessageContaining("/nonexistent/postgresql/bin");
    }
}
