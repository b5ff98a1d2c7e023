package io.pgvault.examples.deployments;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.s3.TlsS3Server;
import io.pgvault.testkit.s3.TlsS3ServerFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployment 3 end to end: {@link AppTemplateLogical} configured only by environment variables, against a real
 * PostgreSQL 15 (pg_dump, psql, pg_restore) and a real S3 server over TLS (S3Proxy), exactly as an operator runs it.
 */
class AppTemplateLogicalIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();
    @RegisterExtension
    static final TlsS3ServerFixture S3 = TlsS3ServerFixture.create();

    private static final String DB = "shop";
    private static Map<String, Long> sourceCounts;

    @TempDir
    Path dir;

    @BeforeAll
    static void shop() {
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase(DB);
        DemoDatabase.realistic(1).applyTo(cluster, DB);
        sourceCounts = DemoDatabase.rowCounts(cluster, DB);
    }

    @Test
    @DisplayName("backup: plain SQL + gzip in BACKUP_DIR and a verified copy on S3; --verify-only passes; restore "
            + "--drop-existing puts the data back, and without it refuses to overwrite")
    void backupVerifyRestore() throws IOException {
        String bucket = TlsS3Server.uniqueBucket("app");
        S3.server().createBucket(bucket);
        Map<String, String> env = env(bucket);

        Run backup = run(env, "backup");
        assertThat(backup.code).as(backup.out).isZero();
        List<BackupSet> local = catalog(LocalRepository.at(dir.resolve("backups"))).list();
        assertThat(local).hasSize(1);
        assertThat(local.get(0).objects()).singleElement().satisfies(o -> assertThat(o.key()).endsWith(".sql.gz"));
        try (S3Repository s3 = S3Repository.of(s3Config(bucket))) {
            assertThat(catalog(s3).list()).extracting(BackupSet::id).containsExactly(local.get(0).id());
        }

        Run verify = run(env, "--verify-only");
        assertThat(verify.code).as(verify.out).isZero();
        assertThat(verify.out).contains("OK     " + local.get(0).id(), "all backups verified");

        PostgresCluster cluster = PG.cluster();
        cluster.psql(DB, "DELETE FROM shop.order_items; INSERT INTO shop.customers "
                + "(email, full_name, country, created_at) VALUES ('after@example.com', 'late', 'DE', now())");
        Run refused = run(env, "restore");
        assertThat(refused.code).as(refused.out).isEqualTo(1);
        assertThat(refused.out).contains("CONFLICT");
        Run restored = run(env, "restore", "--drop-existing");
        assertThat(restored.code).as(restored.out).isZero();
        assertThat(DemoDatabase.rowCounts(cluster, DB)).isEqualTo(sourceCounts);
    }

    @Test
    @DisplayName("fail-open: with S3 down the local backup counts, the failure is loud (exit 3), and the next run "
            + "copies what S3 missed")
    void offsiteFailureIsLoudButNotFatal() throws IOException {
        String bucket = TlsS3Server.uniqueBucket("app");
        S3.server().createBucket(bucket);
        Map<String, String> env = env(bucket);
        env.put("BACKUP_RETENTION_LAST", "5"); // keep both sets of today, besides 7/4/12
        env.put("BACKUP_FORMAT", "custom");

        S3.server().stop();
        Run down;
        try {
            down = run(env, "backup");
        } finally {
            S3.server().restart();
        }
        assertThat(down.code).as(down.out).isEqualTo(3);
        assertThat(down.out).contains("ERROR: off-site copy disabled", "is safe locally");
        List<BackupSet> local = catalog(LocalRepository.at(dir.resolve("backups"))).list();
        assertThat(local).hasSize(1);
        assertThat(local.get(0).objects().get(0).key()).endsWith(".dump.zst");

        Run up = run(env, "backup");
        assertThat(up.code).as(up.out).isZero();
        List<BackupSet> both = catalog(LocalRepository.at(dir.resolve("backups"))).list();
        assertThat(both).hasSize(2);
        try (S3Repository s3 = S3Repository.of(s3Config(bucket))) {
            assertThat(catalog(s3).list()).extracting(BackupSet::id)
                    .containsExactlyInAnyOrderElementsOf(both.stream().map(BackupSet::id).toList());
        }
        // and the copy alone restores, under another name
        Run fromS3 = run(env, "restore", "--from", AppTemplateLogical.S3_TIER, "--target-database", "shop_from_s3");
        assertThat(fromS3.code).as(fromS3.out).isZero();
        assertThat(DemoDatabase.rowCounts(PG.cluster(), "shop_from_s3")).isEqualTo(sourceCounts);
        PG.cluster().dropDatabase("shop_from_s3");
    }

    @Test
    @DisplayName("--verify-only catches a truncated dump (exit 1) without touching the database")
    void verifyOnlyCatchesTruncation() throws IOException {
        Map<String, String> env = env(null);
        assertThat(run(env, "backup").code).isZero();
        Path dump;
        try (Stream<Path> files = Files.walk(dir.resolve("backups"))) {
            dump = files.filter(p -> p.toString().endsWith(".sql.gz")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        Run verify = run(env, "--verify-only");
        assertThat(verify.code).as(verify.out).isEqualTo(1);
        assertThat(verify.out).contains("FAILED ", "1 backup(s) failed verification");
    }

    @Test
    @DisplayName("bad configuration: every problem at once, exit 2, nothing written")
    void badConfiguration() {
        Map<String, String> env = new HashMap<>();
        env.put("BACKUP_RETENTION_DAILY", "seven");
        env.put("BACKUP_FORMAT", "tar");
        Run bad = run(env, "backup");
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.out).contains("BACKUP_DIR is required", "BACKUP_RETENTION_DAILY='seven'",
                "BACKUP_FORMAT='tar'");
        assertThat(dir.resolve("backups")).doesNotExist();
    }

    private Map<String, String> env(String bucket) {
        PostgresCluster cluster = PG.cluster();
        Map<String, String> env = new HashMap<>();
        env.put("PGHOST", cluster.host());
        env.put("PGPORT", Integer.toString(cluster.port()));
        env.put("PGUSER", cluster.user());
        env.put("PGDATABASE", DB);
        env.put("BACKUP_DIR", dir.resolve("backups").toString());
        env.put("BACKUP_RETENTION_DAILY", "7");
        env.put("BACKUP_RETENTION_WEEKLY", "4");
        env.put("BACKUP_RETENTION_MONTHLY", "12");
        if (bucket != null) {
            TlsS3Server s3 = S3.server();
            env.put("BACKUP_S3_BUCKET", bucket);
            env.put("BACKUP_S3_PREFIX", "app/");
            env.put("BACKUP_S3_ENDPOINT", s3.endpoint().toString());
            env.put("BACKUP_S3_CA_FILE", s3.caFile().toString());
            env.put("AWS_REGION", TlsS3Server.REGION);
            env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
            env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey().reveal());
        }
        return env;
    }

    private static S3RepositoryConfig s3Config(String bucket) {
        TlsS3Server s3 = S3.server();
        return S3RepositoryConfig.builder(bucket).prefix("app/").endpoint(s3.endpoint()).pathStyle(true)
                .region(TlsS3Server.REGION).caFile(s3.caFile())
                .credentials(S3Credentials.ofStatic(s3.accessKey(), s3.secretKey())).build();
    }

    private static Catalog catalog(io.pgvault.spi.Repository repository) {
        return new Catalog(repository);
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = AppTemplateLogical.run(env, args, out);
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private record Run(int code, String out) {
    }
}
