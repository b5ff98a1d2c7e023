package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupId;
import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The options a {@link PhysicalRestoreRequest} adds to {@code pgbackrest restore}. */
class PhysicalRestoreRequestTest {

    @Test
    @DisplayName("the defaults restore to the end of the archive with no timeline option")
    void defaults() {
        assertThat(PhysicalRestoreRequest.builder().build().arguments()).containsExactly("--type=default");
    }

    @Test
    @DisplayName("every setting, with a time target and a numbered timeline, in a fixed order")
    void everything() {
        PhysicalRestoreRequest r = PhysicalRestoreRequest.builder()
                .target(RestoreTarget.time(Instant.parse("2026-11-21T10:10:10.123456Z")))
                .targetAction(TargetAction.PROMOTE).targetTimeline(TargetTimeline.of(3))
                .set(BackupId.of("20261121-101010F")).repo(2).dataDirectory(Path.of("/srv/pitr/data")).delta(true)
                .build();
        assertThat(r.arguments()).containsExactly("--pg1-path=/srv/pitr/data", "--repo=2", "--set=20261121-101010F",
                "--delta", "--type=time", "--target=2026-11-21 10:10:10.123456+00", "--target-action=promote",
                "--target-timeline=3", "--archive-mode=off");
    }

    @Test
    @DisplayName("a repo target time reads that repo as it was, in whole seconds UTC; without a repo it is refused")
    void repoTargetTime() {
        PhysicalRestoreRequest r = PhysicalRestoreRequest.builder().repo(2)
                .repoTargetTime(Instant.parse("2026-12-06T09:10:11.987Z")).build();
        assertThat(r.arguments()).containsExactly("--repo=2", "--repo-target-time=2026-12-06 09:10:11+00",
                "--type=default");
        assertThatThrownBy(() -> PhysicalRestoreRequest.builder()
                .repoTargetTime(Instant.parse("2026-12-06T09:10:11Z")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("repoTargetTime needs a repo");
    }

    @Test
    @DisplayName("a timeline goes with the end-of-archive target (no target action) and with lsn, xid and name")
    void timelineWithOtherTargets() {
        assertThat(PhysicalRestoreRequest.builder().targetTimeline(TargetTimeline.current()).build().arguments())
                .containsExactly("--type=default", "--target-timeline=current");
        assertThat(PhysicalRestoreRequest.builder().target(RestoreTarget.lsn("0/3000060"))
                .targetTimeline(TargetTimeline.latest()).build().arguments())
                .containsExactly("--type=lsn", "--target=0/3000060", "--target-action=pause",
                        "--target-timeline=latest");
        assertThat(PhysicalRestoreRequest.builder().target(RestoreTarget.xid("7421"))
                .targetTimeline(TargetTimeline.of(2)).build().arguments()).contains("--target-timeline=2");
        assertThat(PhysicalRestoreRequest.builder().target(RestoreTarget.name("before-migration"))
                .targetTimeline(TargetTimeline.current()).build().arguments()).contains("--target-timeline=current");
    }

    @Test
    @DisplayName("a timeline with the immediate target is refused (pgBackRest rejects it), with every other problem")
    void immediateRefused() {
        assertThatThrownBy(() -> PhysicalRestoreRequest.builder().target(RestoreTarget.immediate())
                .targetTimeline(TargetTimeline.current()).repo(0).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("targetTimeline cannot be combined with the immediate target")
                .hasMessageContaining("repo must be 1..256");
        assertThat(PhysicalRestoreRequest.builder().target(RestoreTarget.immediate()).build().arguments())
                .containsExactly("--type=immediate", "--target-action=pause");
    }

    @Test
    @DisplayName("the 0.1.0 constructor still works and means no target timeline")
    void compatibleConstructor() {
        PhysicalRestoreRequest r = new PhysicalRestoreRequest(RestoreTarget.latest(), TargetAction.PAUSE,
                Optional.empty(), OptionalInt.empty(), Optional.empty(), false, false, OptionalInt.empty());
        assertThat(r.targetTimeline()).isEmpty();
        assertThat(r.arguments()).containsExactly("--type=default");
    }
}
