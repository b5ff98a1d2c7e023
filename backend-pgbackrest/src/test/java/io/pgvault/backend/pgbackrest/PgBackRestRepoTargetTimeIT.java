package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.Secret;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.s3.VersionedS3Server;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --repo-target-time} end to end: a pgBackRest repo in a versioned bucket (S3Mock over HTTPS, see
 * {@link VersionedS3Server}) is overwritten object by object, as ransomware holding the bucket's keys would, and
 * {@link PgBackRest#restore} with {@link PhysicalRestoreRequest.Builder#repoTargetTime} restores the set from the
 * bucket as it was before, byte for byte. Real pgBackRest 2.55.1 and PostgreSQL 17 (the option came with 2.54; on
 * 2.45 {@code PgBackRestS3IT} shows it refused before pgBackRest runs).
 */
class PgBackRestRepoTargetTimeIT {
    private static final Secret CIPHER = Secret.of("pgvault versioned repo passphrase: test only");
    private static final String PREFIX = "pgbackrest/main";

    /** @return the versions this class runs on */
    MatrixPair pair() {
        return MatrixPair.PG17_PGBR2551;
    }

    @Test
    @DisplayName("every object of an S3 repo overwritten after a full backup: the repo no longer reads, and a restore "
            + "with repoTargetTime before the overwrite brings the database back identical")
    void restoreFromTheBucketsPast() throws Exception {
        pair().assumeInstalled();
        VersionedS3Server.assumeInstalled();
        try (VersionedS3Server s3 = VersionedS3Server.start()) {
            String bucket = "pgbr-versioned";
            s3.createVersionedBucket(bucket);
            S3RepositoryConfig config = S3RepositoryConfig.builder(bucket).endpoint(s3.endpoint()).pathStyle(true)
                    .region("us-east-1").prefix(PREFIX)
                    .credentials(S3Credentials.ofStatic("versioned-test", Secret.of("versioned-test-secret")))
                    .caFile(s3.caFile()).build();
            PgBackRestRepo repo = PgBackRestRepo.s3(config).cipher(CIPHER).build();
            try (PgBackRestFixture f = PgBackRestFixture.start(pair(), "past", (b, base) -> b.repo(repo))) {
                f.pg.createDatabase("shop");
                DemoDatabase.realistic(1).applyTo(f.pg, "shop");
                Map<String, String> source = DemoDatabase.fingerprint(f.pg, "shop");
                BackupSet full = f.pgbr.backup(BackupType.FULL, 2);

                // the repo time is whole seconds: one after the backup's last write, and the attack a second later
                Thread.sleep(1_500);
                Instant past = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                Thread.sleep(1_500);
                f.pg.psql("shop", "CREATE TABLE shop.after_backup AS SELECT 1 AS x"); // not in the set
                List<String> overwritten = s3.overwriteAll(bucket, PREFIX + "/",
                        "ENCRYPTED BY RANSOMWARE\n".getBytes(StandardCharsets.UTF_8));
                assertThat(overwritten).anyMatch(k -> k.endsWith("/backup.info"))
                        .anyMatch(k -> k.contains("/" + full.id().value() + "/"));
                assertThatThrownBy(() -> f.pgbr.list(2)).as("the repo as it is now").isInstanceOf(
                        PgBackRestException.class);

                Path dir = f.newDirectory("from-the-past");
                f.pgbr.restore(PhysicalRestoreRequest.builder().repo(2).repoTargetTime(past).set(full.id())
                        .target(RestoreTarget.immediate()).targetAction(TargetAction.PROMOTE).dataDirectory(dir)
                        .archiveModeOff(true).build());
                try (PostgresCluster copy = f.startRestored(dir)) {
                    assertThat(DemoDatabase.fingerprint(copy, "shop")).isEqualTo(source);
                } finally {
                    PgBackRestFixture.delete(dir);
                }
            }
        }
    }
}
