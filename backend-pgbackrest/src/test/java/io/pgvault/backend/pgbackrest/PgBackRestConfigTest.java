package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgBackRestConfigTest {
    static final Secret PASS = Secret.of("cipher-pass-value-1");
    static final Secret S3_SECRET = Secret.of("s3-secret-value-2");

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
                .compressLevel(3).processMax(4).archiveAsync(true).archivePushQueueMax(1L << 30).backupStandby(true)
                .build();
        String text = PgBackRest.of(c).configText();
        assertThat(text).contains("[global]\n", "\n[main]\n", "repo1-type=posix\n", "repo1-path=/var/lib/pgbackrest\n",
                "repo1-retention-full-type=count\n", "repo1-retention-full=9999999\n", "repo1-cipher-type=aes-256-cbc\n",
                "repo2-type=s3\n", "repo2-s3-bucket=backups\n", "repo2-s3-region=eu-central-1\n",
                "repo2-s3-endpoint=minio.example\n", "repo2-storage-port=9000\n", "repo2-s3-uri-style=path\n",
                "repo2-path=/pg/prod\n", "repo2-s3-key-type=shared\n", "compress-type=zst\n", "compress-level=3\n",
                "process-max=4\n", "archive-async=y\n", "archive-push-queue-max=1073741824\n", "backup-standby=y\n",
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
        assertThat(ConfigRenderer.config(base().repo(noVerify).build())).contains("repo2-storage-verify-tls=n\n");
        PgBackRestRepo withCa = PgBackRestRepo.s3(s3("https://localhost:9443")).tls(tmp.resolve("ca.pem"), true)
                .build();
        assertThat(ConfigRenderer.config(base().repo(withCa).build()))
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
        assertThat(ConfigRenderer.config(c)).contains("repo1-retention-full=4\n", "repo1-retention-diff=4\n")
                .doesNotContain("9999999");
    }
}
