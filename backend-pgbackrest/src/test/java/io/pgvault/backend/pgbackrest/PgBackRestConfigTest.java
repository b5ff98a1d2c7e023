package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Encryption;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.storage.s3.S3StorageClass;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgBackRestConfigTest {
    static final Secret PASS = Secret.of("cipher-pass-value-1");
    static final Secret S3_SECRET = Secret.of("s3-secret-value-2");
    static final PgBackRestVersion V245 = PgBackRestVersion.parse("pgBackRest 2.45", VersionPolicy.WARN);
    static final PgBackRestVersion V255 = PgBackRestVersion.parse("pgBackRest 2.55.1", VersionPolicy.WARN);
    static final PgCluster STANDBY = PgCluster.builder(Path.of("/var/lib/postgresql/15/replica")).port(5434)
            .socketDirectory(Path.of("/run/pg-replica")).build();

    static PgBackRestVersion version(String number) {
        return PgBackRestVersion.parse("pgBackRest " + number, VersionPolicy.WARN);
    }

    static PgBackRestConfig.Builder base() {
        return PgBackRestConfig.builder("main")
                .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/15/main")).port(5433)
                        .socketDirectory(Path.of("/run/pg")).build())
                .repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).cipher(PASS).build())
                .configFile(Path.of("/etc/pgvault/pgbackrest.conf"));
    }

    static S3RepositoryConfig s3(String endpoint) {
        return S3RepositoryConfig.builder("backups").prefix("pg/prod/").region("eu-central-1")
                .endpoint(URI.create(endpoint)).pathStyle(true)
                .credentials(S3Credentials.ofStatic("AKIDEXAMPLE", S3_SECRET)).build();
    }

    @Test
    @DisplayName("pgbackrest.conf holds every setting but no secret; retention is left to pgvault")
    void rendersWithoutSecrets() {
        PgBackRestConfig c = base().repo(PgBackRestRepo.s3(s3("https://minio.example:9000")).build())
                .compressLevel(3).processMax(4).archiveAsync(true).archivePushQueueMax(1L << 30).build();
        String text = ConfigRenderer.config(c, V245);
        assertThat(text).contains("[global]\n", "\n[main]\n", "repo1-type=posix\n", "repo1-path=/var/lib/pgbackrest\n",
                "repo1-retention-full-type=count\n", "repo1-retention-full=9999999\n", "repo1-cipher-type=aes-256-cbc\n",
                "repo2-type=s3\n", "repo2-s3-bucket=backups\n", "repo2-s3-region=eu-central-1\n",
                "repo2-s3-endpoint=minio.example\n", "repo2-storage-port=9000\n", "repo2-s3-uri-style=path\n",
                "repo2-path=/pg/prod\n", "repo2-s3-key-type=shared\n", "compress-type=zst\n", "compress-level=3\n",
                "process-max=4\n", "archive-async=y\n", "archive-push-queue-max=1073741824\n", "backup-standby=n\n",
                "start-fast=y\n", "pg1-path=/var/lib/postgresql/15/main\n", "pg1-port=5433\n",
                "pg1-socket-path=/run/pg\n", "pg1-user=postgres\n", "archive-timeout=60\n");
        assertThat(text).doesNotContain(PASS.reveal(), S3_SECRET.reveal(), "AKIDEXAMPLE", "cipher-pass", "s3-key=");
        assertThat(c.toString()).doesNotContain(PASS.reveal(), S3_SECRET.reveal());
    }

    @Test
    @DisplayName("secrets go to PGBACKREST_REPOn_* variables and the include file, nowhere else")
    void secrets() {
        PgBackRestConfig c = base().repo(PgBackRestRepo.s3(s3("https://minio.example")).cipher(PASS).build()).build();
        Map<String, Secret> env = ConfigRenderer.secretEnvironment(c);
        assertThat(env).containsOnlyKeys("PGBACKREST_REPO1_CIPHER_PASS", "PGBACKREST_REPO2_CIPHER_PASS",
                "PGBACKREST_REPO2_S3_KEY", "PGBACKREST_REPO2_S3_KEY_SECRET");
        assertThat(env.get("PGBACKREST_REPO2_S3_KEY_SECRET")).isEqualTo(S3_SECRET);
        assertThat(ConfigRenderer.secretsFile(c)).contains("[global]\n", "repo1-cipher-pass=" + PASS.reveal() + "\n",
                "repo2-s3-key=AKIDEXAMPLE\n", "repo2-s3-key-secret=" + S3_SECRET.reveal() + "\n");
        assertThat(c.includeDirectory()).isEqualTo(Path.of("/etc/pgvault/main.conf.d"));
    }

    @Test
    @DisplayName("archive_command and restore_command name pgvault's config and include path, never a secret")
    void archiveCommands() {
        PgBackRest p = PgBackRest.of(base().executable("/usr/bin/pgbackrest").build());
        assertThat(p.archiveCommand()).isEqualTo("/usr/bin/pgbackrest --config=/etc/pgvault/pgbackrest.conf "
                + "--config-include-path=/etc/pgvault/main.conf.d --stanza=main archive-push %p");
        assertThat(p.restoreCommand()).isEqualTo("/usr/bin/pgbackrest --config=/etc/pgvault/pgbackrest.conf "
                + "--config-include-path=/etc/pgvault/main.conf.d --stanza=main archive-get %f \"%p\"");
    }

    @Test
    @DisplayName("S3 mapping: loopback IP becomes localhost, CA file and verify-tls carried, http refused")
    void s3Mapping(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        PgBackRestRepo.S3 mapped = PgBackRestRepo.s3(s3("https://127.0.0.1:9443")).build().s3().orElseThrow();
        assertThat(mapped.endpoint()).isEqualTo("localhost");
        assertThat(mapped.port()).hasValue(9443);
        assertThat(mapped.toString()).doesNotContain(S3_SECRET.reveal());
        PgBackRestRepo noVerify = PgBackRestRepo.s3(s3("https://localhost:9443").toBuilder().verifyTls(false).build())
                .build();
        assertThat(ConfigRenderer.config(base().repo(noVerify).build(), V245)).contains("repo2-storage-verify-tls=n\n");
        PgBackRestRepo withCa = PgBackRestRepo.s3(s3("https://localhost:9443")).tls(tmp.resolve("ca.pem"), true)
                .build();
        assertThat(ConfigRenderer.config(base().repo(withCa).build(), V245))
                .contains("repo2-storage-ca-file=" + tmp.resolve("ca.pem") + "\n");
        assertThatThrownBy(() -> PgBackRestRepo.s3(s3("http://localhost:9000")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("TLS only");
        assertThatThrownBy(() -> PgBackRestRepo.s3(s3("https://localhost").toBuilder()
                .credentials(S3Credentials.profile("prod")).build()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("profile");
        assertThat(PgBackRestRepo.s3(s3("https://localhost").toBuilder().credentials(S3Credentials.defaultChain())
                .build()).build().s3().orElseThrow().keyType()).isEqualTo(PgBackRestRepo.S3KeyType.AUTO);
        Files.deleteIfExists(tmp.resolve("ca.pem"));
    }

    @Test
    @DisplayName("repos get the next free index; explicit indexes are kept; repo(n) finds them")
    void indexes() {
        PgBackRestConfig c = PgBackRestConfig.builder("x")
                .cluster(PgCluster.builder(Path.of("/d")).build())
                .repo(PgBackRestRepo.posix(Path.of("/a")).build())
                .repo(PgBackRestRepo.posix(Path.of("/b")).index(1).build())
                .repo(PgBackRestRepo.posix(Path.of("/c")).build())
                .configFile(Path.of("/c.conf")).build();
        assertThat(c.repos()).extracting(PgBackRestRepo::index, PgBackRestRepo::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "/b"), org.assertj.core.groups.Tuple.tuple(2, "/a"),
                        org.assertj.core.groups.Tuple.tuple(3, "/c"));
        assertThat(c.repo(3).path()).isEqualTo("/c");
        assertThatThrownBy(() -> c.repo(4)).isInstanceOf(ConfigurationException.class).hasMessageContaining("repo4");
    }

    @Test
    @DisplayName("two posix repos at one path, or two s3 repos at one bucket, endpoint and path, are refused, naming "
            + "the property")
    void sameLocationTwice() {
        assertThatThrownBy(() -> base().repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest/")).build()).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains("repo2", "repo1", "repo2-path=/var/lib/pgbackrest"));
        assertThatThrownBy(() -> base().repo(PgBackRestRepo.s3(s3("https://minio.example:9000")).build())
                .repo(PgBackRestRepo.s3(s3("https://minio.example:9000")).cipher(PASS).build()).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().contains("repo3", "repo2", "repo3-s3-bucket=backups",
                                "repo3-s3-endpoint=minio.example", "repo3-path=/pg/prod"));
        // another endpoint, port or path is another place
        assertThat(base().repo(PgBackRestRepo.s3(s3("https://minio.example:9000")).build())
                .repo(PgBackRestRepo.s3(s3("https://minio.example:9001")).build())
                .repo(PgBackRestRepo.s3(s3("https://other.example:9000")).build())
                .repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest2")).build()).build().repos()).hasSize(5);
    }

    @Test
    @DisplayName("every invalid setting is reported at once")
    void allProblems() {
        assertThatThrownBy(() -> PgBackRestConfig.builder("bad stanza").configFile(Path.of("relative.conf"))
                .processMax(0).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .anyMatch(p -> p.startsWith("stanza")).anyMatch(p -> p.startsWith("cluster"))
                        .anyMatch(p -> p.contains("at least one repo")).anyMatch(p -> p.startsWith("configFile"))
                        .anyMatch(p -> p.startsWith("processMax")));
        assertThatThrownBy(() -> PgCluster.builder(Path.of("rel")).port(0).user("bad user").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(3));
        assertThatThrownBy(() -> PgBackRestRepo.posix(Path.of("/r")).retentionDiff(3).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("retention-full");
    }

    @Test
    @DisplayName("pgBackRest's own retention can be chosen per repo instead of pgvault's")
    void ownRetention() {
        PgBackRestConfig c = PgBackRestConfig.builder("x").cluster(PgCluster.builder(Path.of("/d")).build())
                .repo(PgBackRestRepo.posix(Path.of("/r")).retentionFull(4).retentionDiff(4).build())
                .configFile(Path.of("/c.conf")).build();
        assertThat(ConfigRenderer.config(c, V245)).contains("repo1-retention-full=4\n", "repo1-retention-diff=4\n")
                .doesNotContain("9999999");
    }

    @Nested
    @DisplayName("standbys")
    class Standbys {
        @Test
        @DisplayName("a standby configuration renders pg2-* with the standby's path, port and socket")
        void rendersPg2() {
            PgCluster remote = PgCluster.builder(Path.of("/srv/pg")).port(5432).host("replica-2.internal").build();
            String text = ConfigRenderer.config(base().standby(STANDBY).standby(remote)
                    .backupStandby(BackupStandby.YES).build(), V245);
            assertThat(text).contains("backup-standby=y\n", "pg1-path=/var/lib/postgresql/15/main\n",
                    "pg2-path=/var/lib/postgresql/15/replica\n", "pg2-port=5434\n", "pg2-socket-path=/run/pg-replica\n",
                    "pg2-user=postgres\n", "pg2-database=postgres\n", "pg3-host=replica-2.internal\n",
                    "pg3-path=/srv/pg\n", "pg3-port=5432\n").doesNotContain("pg1-host", "pg2-host");
            assertThat(text.indexOf("pg2-path")).isGreaterThan(text.indexOf("[main]"));
        }

        @Test
        @DisplayName("backup-standby=prefer on 2.54 and later; refused on older versions, naming 2.54")
        void prefer() {
            PgBackRestConfig c = base().standby(STANDBY).backupStandby(BackupStandby.PREFER).build();
            assertThat(ConfigRenderer.config(c, V255)).contains("backup-standby=prefer\n");
            assertThat(ConfigRenderer.config(c, version("2.54"))).contains("backup-standby=prefer\n");
            assertThatThrownBy(() -> ConfigRenderer.config(c, V245)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("PREFER").hasMessageContaining("2.54 or later")
                    .hasMessageContaining("pgbackrest is 2.45");
        }

        @Test
        @DisplayName("YES or PREFER without a standby is refused when the config is built")
        void standbyRequired() {
            for (BackupStandby mode : new BackupStandby[] {BackupStandby.YES, BackupStandby.PREFER}) {
                assertThatThrownBy(() -> base().backupStandby(mode).build())
                        .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs a standby");
            }
            assertThat(base().build().backupStandby()).isEqualTo(BackupStandby.NO);
        }

        @Test
        @SuppressWarnings("deprecation")
        @DisplayName("the boolean of 0.1.0 still means YES or NO")
        void deprecatedBoolean() {
            assertThat(base().standby(STANDBY).backupStandby(true).build().backupStandby())
                    .isEqualTo(BackupStandby.YES);
            assertThat(base().backupStandby(false).build().backupStandby()).isEqualTo(BackupStandby.NO);
            assertThatThrownBy(() -> base().backupStandby(true).build()).isInstanceOf(ConfigurationException.class);
        }

        @Test
        @DisplayName("the cluster cannot name a host; a standby cannot share its data directory or port")
        void refusals() {
            assertThatThrownBy(() -> base().cluster(PgCluster.builder(Path.of("/d")).host("elsewhere").build())
                    .build()).hasMessageContaining("pg1").hasMessageContaining("cannot name a host");
            assertThatThrownBy(() -> base().standby(PgCluster.builder(Path.of("/var/lib/postgresql/15/main"))
                    .port(5433).socketDirectory(Path.of("/run/pg")).build()).build())
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                            .anyMatch(p -> p.contains("data directory")).anyMatch(p -> p.contains("port 5433")));
            PgBackRestConfig.Builder many = base();
            for (int i = 0; i < 8; i++) {
                many.standby(PgCluster.builder(Path.of("/s" + i)).port(6000 + i).build());
            }
            assertThatThrownBy(many::build).hasMessageContaining("at most 7 standbys");
        }

        @Test
        @DisplayName("toBuilder keeps the standbys and the mode")
        void roundTrip() {
            PgBackRestConfig c = base().standby(STANDBY).backupStandby(BackupStandby.PREFER).build();
            assertThat(c.toBuilder().build()).isEqualTo(c);
            assertThat(c.toString()).contains("standby /var/lib/postgresql/15/replica port 5434");
        }
    }

    @Nested
    @DisplayName("durations")
    class Durations {
        @Test
        @DisplayName("archiveTimeout(1500 ms) is 1500ms for 2.53 and later, 1.500 before; whole seconds a number")
        void archiveTimeout() {
            PgBackRestConfig c = base().archiveTimeout(Duration.ofMillis(1500)).build();
            assertThat(ConfigRenderer.config(c, V255)).contains("archive-timeout=1500ms\n");
            assertThat(ConfigRenderer.config(c, version("2.53"))).contains("archive-timeout=1500ms\n");
            assertThat(ConfigRenderer.config(c, version("2.52"))).contains("archive-timeout=1.500\n");
            assertThat(ConfigRenderer.config(c, V245)).contains("archive-timeout=1.500\n");
            for (PgBackRestVersion v : new PgBackRestVersion[] {V245, V255}) {
                assertThat(ConfigRenderer.duration(Duration.ofSeconds(60), v)).isEqualTo("60");
                assertThat(ConfigRenderer.duration(Duration.ofHours(24), v)).isEqualTo("86400");
            }
            assertThat(ConfigRenderer.duration(Duration.ofMillis(100), V245)).isEqualTo("0.100");
            assertThat(ConfigRenderer.duration(Duration.ofMillis(100), V255)).isEqualTo("100ms");
            assertThat(ConfigRenderer.duration(Duration.ofMillis(61_005), V245)).isEqualTo("61.005");
        }

        @Test
        @DisplayName("finer than a millisecond or outside 0.1 s..24 h is refused when built")
        void refused() {
            assertThatThrownBy(() -> base().archiveTimeout(Duration.ofNanos(1_500_000_500L)).build())
                    .hasMessageContaining("whole milliseconds");
            assertThatThrownBy(() -> base().archiveTimeout(Duration.ofMillis(99)).build())
                    .hasMessageContaining("0.1 s..24 h");
        }
    }

    @Nested
    @DisplayName("WAL retention")
    class WalRetentions {
        @Test
        @DisplayName("walRetention renders retention-archive-type and retention-archive beside managed retention")
        void rendered() {
            PgBackRestConfig c = PgBackRestConfig.builder("x").cluster(PgCluster.builder(Path.of("/d")).build())
                    .repo(PgBackRestRepo.posix(Path.of("/r")).walRetention(WalRetention.ofBackups(14)).build())
                    .repo(PgBackRestRepo.posix(Path.of("/f")).walRetention(WalRetention.ofFulls(2)).build())
                    .configFile(Path.of("/c.conf")).build();
            assertThat(ConfigRenderer.config(c, V245)).contains("repo1-retention-full=9999999\n",
                    "repo1-retention-archive-type=incr\n", "repo1-retention-archive=14\n",
                    "repo2-retention-archive-type=full\n", "repo2-retention-archive=2\n")
                    .doesNotContain("retention-diff");
        }

        @Test
        @DisplayName("counting differentials in a managed repo keeps every differential (pgBackRest warns otherwise)")
        void diffs() {
            PgBackRestConfig managed = PgBackRestConfig.builder("x").cluster(PgCluster.builder(Path.of("/d")).build())
                    .repo(PgBackRestRepo.posix(Path.of("/r")).walRetention(WalRetention.ofFullsAndDiffs(7)).build())
                    .configFile(Path.of("/c.conf")).build();
            assertThat(ConfigRenderer.config(managed, V245)).contains("repo1-retention-archive-type=diff\n",
                    "repo1-retention-archive=7\n", "repo1-retention-diff=9999999\n");
            PgBackRestConfig own = PgBackRestConfig.builder("x").cluster(PgCluster.builder(Path.of("/d")).build())
                    .repo(PgBackRestRepo.posix(Path.of("/r")).retentionFull(4)
                            .walRetention(WalRetention.ofFullsAndDiffs(7)).build())
                    .configFile(Path.of("/c.conf")).build();
            assertThat(ConfigRenderer.config(own, V245)).contains("repo1-retention-full=4\n",
                    "repo1-retention-archive=7\n").doesNotContain("retention-diff");
        }

        @Test
        @DisplayName("a WAL retention counts 1..9999999 backups")
        void bounds() {
            assertThatThrownBy(() -> WalRetention.ofFulls(0)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("1..9999999");
        }

        @Test
        @DisplayName("a retention plan over a repo with its own retention-full is refused, naming the conflict")
        void gfsOverOwnRetention() {
            PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder("x")
                    .cluster(PgCluster.builder(Path.of("/d")).build())
                    .repo(PgBackRestRepo.posix(Path.of("/r")).retentionFull(4).build())
                    .configFile(Path.of("/c.conf")).executable("/nonexistent/pgbackrest").build());
            RetentionPolicy gfs = RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).build();
            assertThatThrownBy(() -> pgbr.plan(gfs, 1)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("repo1-retention-full=4").hasMessageContaining("automatic expire");
            assertThatThrownBy(() -> pgbr.applyRetention(gfs, 1, io.pgvault.api.retention.PruneMode.DRY_RUN))
                    .isInstanceOf(ConfigurationException.class);
        }
    }

    @Nested
    @DisplayName("S3 mapping")
    class S3Settings {
        @Test
        @DisplayName("SSE-KMS with a key becomes s3-kms-key-id (2.38 and later)")
        void kms() {
            PgBackRestRepo repo = PgBackRestRepo.s3(s3("https://localhost").toBuilder()
                    .encryption(S3Encryption.sseKms("arn:aws:kms:eu-central-1:111122223333:key/abcd-1234")).build())
                    .build();
            PgBackRestConfig c = base().repo(repo).build();
            assertThat(ConfigRenderer.config(c, V245))
                    .contains("repo2-s3-kms-key-id=arn:aws:kms:eu-central-1:111122223333:key/abcd-1234\n");
            assertThatThrownBy(() -> ConfigRenderer.config(c, version("2.37")))
                    .hasMessageContaining("repo2: SSE-KMS").hasMessageContaining("2.38 or later");
        }

        @Test
        @DisplayName("what pgBackRest cannot ask for is refused, every problem at once: storage class, SSE-S3, SSE-KMS "
                + "without a key")
        void refused() {
            assertThatThrownBy(() -> PgBackRestRepo.s3(s3("https://localhost").toBuilder()
                    .storageClass(S3StorageClass.STANDARD_IA).encryption(S3Encryption.SSE_S3).build()))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(2)
                            .anyMatch(p -> p.contains("storage class STANDARD_IA") && p.contains("lifecycle rule"))
                            .anyMatch(p -> p.contains("SSE-S3")));
            assertThatThrownBy(() -> PgBackRestRepo.s3(s3("https://localhost").toBuilder()
                    .encryption(S3Encryption.sseKms()).build())).hasMessageContaining("named key");
        }

        @Test
        @DisplayName("the default chain is web-id with a web identity token in the environment, else auto")
        void webIdentity() {
            S3RepositoryConfig chain = s3("https://localhost").toBuilder().credentials(S3Credentials.defaultChain())
                    .build();
            Map<String, String> irsa = Map.of("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/pg",
                    "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
            PgBackRestRepo webId = S3Mapping.builder(chain, irsa::get).build();
            assertThat(webId.s3().orElseThrow().keyType()).isEqualTo(PgBackRestRepo.S3KeyType.WEB_ID);
            assertThat(S3Mapping.builder(chain, Map.of("AWS_ROLE_ARN", "arn:x")::get).build().s3().orElseThrow()
                    .keyType()).isEqualTo(PgBackRestRepo.S3KeyType.AUTO);
            PgBackRestConfig c = base().repo(webId).build();
            assertThat(ConfigRenderer.config(c, V245)).contains("repo2-s3-key-type=web-id\n");
            assertThat(ConfigRenderer.secretEnvironment(c)).containsOnlyKeys("PGBACKREST_REPO1_CIPHER_PASS");
            assertThatThrownBy(() -> ConfigRenderer.config(c, version("2.35"))).hasMessageContaining("2.36 or later");
        }

        @Test
        @DisplayName("every version-gated setting is reported at once")
        void allAtOnce() {
            PgBackRestRepo repo = PgBackRestRepo.s3(PgBackRestRepo.S3.of("bucket", "us-east-1", "localhost",
                    Secret.of("k"), Secret.of("s")).withKmsKeyId("key-1"), "/").build();
            PgBackRestConfig c = base().repo(repo).standby(STANDBY).backupStandby(BackupStandby.PREFER).build();
            assertThatThrownBy(() -> ConfigRenderer.config(c, version("2.33")))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(2));
        }
    }
}
