package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoreTargetTest {
    @Test
    @DisplayName("each target's pgBackRest arguments; time in UTC with microseconds")
    void arguments() {
        assertThat(RestoreTarget.latest().arguments()).containsExactly("--type=default");
        assertThat(RestoreTarget.latest().stopsEarly()).isFalse();
        assertThat(RestoreTarget.immediate().arguments()).containsExactly("--type=immediate");
        assertThat(RestoreTarget.time(Instant.parse("2026-11-21T10:10:10.123456Z")).arguments())
                .containsExactly("--type=time", "--target=2026-11-21 10:10:10.123456+00");
        assertThat(new RestoreTarget.Time(Instant.parse("2026-11-21T10:10:10Z"), true).arguments())
                .containsExactly("--type=time", "--target=2026-11-21 10:10:10.000000+00", "--target-exclusive");
        assertThat(RestoreTarget.lsn("0/3000060").arguments()).containsExactly("--type=lsn", "--target=0/3000060");
        assertThat(RestoreTarget.xid("7421").arguments()).containsExactly("--type=xid", "--target=7421");
        assertThat(RestoreTarget.name("before migration").arguments())
                .containsExactly("--type=name", "--target=before migration");
    }

    @Test
    @DisplayName("malformed targets and requests are configuration errors")
    void invalid() {
        assertThatThrownBy(() -> RestoreTarget.lsn("3000060")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> RestoreTarget.xid("abc")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> RestoreTarget.name("")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> PhysicalRestoreRequest.builder().dataDirectory(Path.of("rel")).repo(0)
                .startOnPort(70000).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(3));
        assertThatThrownBy(() -> PhysicalRestoreRequest.builder().target(RestoreTarget.immediate())
                .targetAction(TargetAction.SHUTDOWN).startOnPort(6000).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("shutdown");
    }

    @Test
    @DisplayName("archive-mode=off by default for a new data directory only")
    void archiveModeDefault() {
        assertThat(PhysicalRestoreRequest.builder().dataDirectory(Path.of("/x")).build().archiveModeOff()).isTrue();
        assertThat(PhysicalRestoreRequest.builder().build().archiveModeOff()).isFalse();
    }
}
