package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupType;
import io.pgvault.api.Secret;
import io.pgvault.testkit.TeeOutputStream;
import io.pgvault.testkit.s3.TlsS3Server;
import io.pgvault.testkit.s3.TlsS3ServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret reaches an argument list or a log while real backups and WAL archiving run: a thread reads every
 * process's {@code /proc/PID/cmdline} in a tight loop meanwhile, and afterwards pgBackRest's logs, the PostgreSQL
 * server log and everything this JVM logged are searched. The secrets: both repos' cipher passphrases and the S3 keys.
 */
class SecretsNotOnArgvIT {
    @RegisterExtension
    static final TlsS3ServerFixture S3 = TlsS3ServerFixture.create();

    private static PgBackRestFixture f;
    private static List<String> secrets;
    private static final Set<String> COMMAND_LINES = ConcurrentHashMap.newKeySet();
    private static volatile String jvmLog;

    @BeforeAll
    static void runWhileScanning() throws Exception {
        TlsS3Server server = S3.server();
        String bucket = TlsS3Server.uniqueBucket("argv");
        server.createBucket(bucket);
        PgBackRestRepo s3Repo = PgBackRestRepo.s3(PgBackRestS3IT.s3Config(server, bucket, server.endpoint()))
                .cipher(PgBackRestS3IT.S3_CIPHER).build();
        secrets = List.of(PgBackRestFixture.CIPHER.reveal(), PgBackRestS3IT.S3_CIPHER.reveal(),
                server.secretKey().reveal(), server.accessKey());

        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeOutputStream(originalErr, captured), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new TeeOutputStream(originalOut, captured), true, StandardCharsets.UTF_8));
        AtomicBoolean scanning = new AtomicBoolean(true);
        Thread scanner = new Thread(() -> {
            while (scanning.get()) {
                scanOnce();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }, "cmdline-scanner");
        scanner.setDaemon(true);
        scanner.start();
        try {
            f = PgBackRestFixture.start("argv", b -> b.repo(s3Repo));
            f.pg.psql("postgres", "CREATE TABLE load (id bigint, body text)");
            // archive-push runs a fraction of a second per segment: switch segments until one was seen on the scan
            for (int i = 0; i < 40 && !seen("archive-push"); i++) {
                f.pg.psql("postgres", "INSERT INTO load SELECT g, md5(g::text) FROM generate_series(1, 20000) g;"
                        + "SELECT pg_switch_wal();");
            }
            f.pgbr.check();
            f.pgbr.backup(BackupType.FULL, 1);
            f.pgbr.backup(BackupType.FULL, 2);
            f.pg.psql("postgres", "INSERT INTO load SELECT g, md5(g::text) FROM generate_series(1, 20000) g;");
            f.pgbr.backup(BackupType.INCR, 2);
            f.pgbr.info();
        } finally {
            scanning.set(false);
            scanner.join();
            System.setErr(originalErr);
            System.setOut(originalOut);
            jvmLog = captured.toString(StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private static boolean seen(String word) {
        return COMMAND_LINES.stream().anyMatch(c -> c.contains("pgbackrest") && c.contains(word));
    }

    private static void scanOnce() {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try {
                    byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
                    if (raw.length > 0) {
                        COMMAND_LINES.add(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
                    }
                } catch (IOException | SecurityException gone) {
                    // the process ended between listing and reading
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
    }

    @Test
    @DisplayName("the scan saw the pgBackRest processes: backups to both repos, check and archive-push")
    void scanSawThem() {
        assertThat(seen("archive-push")).as("archive-push seen").isTrue();
        assertThat(seen("backup")).as("backup seen").isTrue();
        assertThat(seen("check")).as("check seen").isTrue();
        assertThat(COMMAND_LINES.stream().filter(c -> c.contains("pgbackrest")))
                .anySatisfy(c -> assertThat(c).contains("--repo=2"));
    }

    @Test
    @DisplayName("no argument list of any process held a passphrase or an S3 key")
    void noSecretOnAnyArgv() {
        assertThat(COMMAND_LINES).hasSizeGreaterThan(10);
        for (String secret : secrets) {
            assertThat(COMMAND_LINES).noneSatisfy(c -> assertThat(c).contains(secret));
        }
    }

    @Test
    @DisplayName("no secret in pgBackRest's logs, the PostgreSQL server log or what this JVM logged")
    void noSecretInLogs() throws IOException {
        Map<Path, String> logs = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(f.config.logPath())) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                logs.put(p, Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(logs.keySet()).as("pgBackRest log files")
                .anySatisfy(p -> assertThat(p.getFileName().toString()).contains("backup"));
        logs.put(f.pg.logFile(), Files.readString(f.pg.logFile(), StandardCharsets.ISO_8859_1));
        logs.put(Path.of("(this JVM's stdout and stderr)"), jvmLog);
        // this module's tests log at INFO, so the JVM's part holds warnings and failures only; toString() of the
        // whole configuration is added as what a host would log
        logs.put(Path.of("(PgBackRestConfig.toString())"), f.config.toString() + f.config.repos());
        for (Map.Entry<Path, String> log : logs.entrySet()) {
            for (String secret : secrets) {
                assertThat(log.getValue()).as("%s", log.getKey()).doesNotContain(secret);
            }
        }
    }

    @Test
    @DisplayName("pgbackrest.conf holds no secret; the secrets include file is 0600")
    void configFiles() throws IOException {
        String conf = Files.readString(f.config.configFile());
        List<String> found = new ArrayList<>();
        secrets.stream().filter(conf::contains).forEach(found::add);
        assertThat(found).isEmpty();
        try (Stream<Path> files = Files.list(f.config.includeDirectory())) {
            for (Path p : files.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p)
                        .isEqualTo("rw-------");
            }
        }
    }
}
