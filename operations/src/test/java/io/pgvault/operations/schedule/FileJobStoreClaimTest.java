package io.pgvault.operations.schedule;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link JobStore#file(Path)} keeps the claim contract; every {@link #store()} is a new object over one file. */
class FileJobStoreClaimTest extends JobStoreClaimContract {
    @TempDir
    Path dir;

    @Override
    JobStore store() {
        return JobStore.file(dir.resolve("jobs.properties"));
    }

    @Test
    @DisplayName("claims are files beside the store, and recording a fire deletes the claims of older fires only")
    void claimFilesPruned() throws Exception {
        JobStore s = store();
        Instant first = Instant.parse("2026-03-01T02:00:00Z");
        Instant second = first.plusSeconds(86_400);
        assertThat(s.claim("nightly", first, "scheduler 1")).isTrue();
        assertThat(s.claim("nightly", second, "scheduler 1")).isTrue();
        Path claims = dir.resolve("jobs.properties.claims");
        assertThat(Files.readString(claims.resolve("nightly@" + first.toEpochMilli()))).contains("scheduler 1");

        s.record(new JobResult("nightly", second, second, second, JobOutcome.SUCCEEDED, false, "ran",
                Optional.empty()));
        try (var files = Files.list(claims)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactly("nightly@" + second.toEpochMilli());
        }
    }
}
