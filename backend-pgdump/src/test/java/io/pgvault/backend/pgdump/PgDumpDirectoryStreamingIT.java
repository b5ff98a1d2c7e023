package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import io.pgvault.testkit.ForwardingRepository;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.pgvault.backend.pgdump.PgDumpTesting.dumpText;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.visibleKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Directory-format dumps stream into the repository while pg_dump runs: the scratch directory holds the files in
 * flight, not the dump. Failures on either side stop the other and leave nothing behind.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PgDumpDirectoryStreamingIT {
    /** 40 small tables, 20 tables of about 1.2 MB each (their dump files), a few large objects. */
    private static final String WIDE = "wide";
    private static final int BIG_TABLES = 20;
    /** Big tables, then a small one the dumping role may not read whole (row-level security). */
    private static final String GUARDED = "guarded";
    /** A big table and a table whose name imitates pg_dump's report that the big one is finished. */
    private static final String MIMIC = "mimic";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static String wideDump;

    @BeforeAll
    static void createSource() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase(WIDE);
        StringBuilder sql = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            sql.append("CREATE TABLE small_%02d (id int PRIMARY KEY, note text);%n".formatted(i));
            sql.append("INSERT INTO small_%02d SELECT g, 'row ' || g FROM generate_series(1, %d) g;%n"
                    .formatted(i, 50 * i));
        }
        for (int i = 1; i <= BIG_TABLES; i++) {
            sql.append("CREATE TABLE big_%d (id int PRIMARY KEY, payload text);%n".formatted(i));
            sql.append(("INSERT INTO big_%d SELECT g, md5(g::text) || md5((g * %d)::text)"
                    + " FROM generate_series(1, 17000) g;%n").formatted(i, i));
        }
        sql.append("SELECT lo_from_bytea(0, convert_to(repeat('large object ', 1000), 'UTF8'))"
                + " FROM generate_series(1, 3);\n");
        // parallel pg_dump takes the largest tables first, by the statistics' page counts
        sql.append("ANALYZE;\n");
        cluster.psql(WIDE, sql.toString());
        wideDump = dumpText(cluster, WIDE);

        cluster.createDatabase(GUARDED);
        cluster.psql("postgres", "CREATE ROLE dumper LOGIN");
        cluster.psql(GUARDED, """
                CREATE TABLE big_1 (id int, payload text);
                INSERT INTO big_1 SELECT g, md5(g::text) || md5((-g)::text) FROM generate_series(1, 30000) g;
                CREATE TABLE big_2 (LIKE big_1);
                INSERT INTO big_2 SELECT * FROM big_1;
                CREATE TABLE big_3 (LIKE big_1);
                INSERT INTO big_3 SELECT * FROM big_1;
                CREATE TABLE zz_guarded (id int);
                INSERT INTO zz_guarded VALUES (1);
                ALTER TABLE zz_guarded ENABLE ROW LEVEL SECURITY;
                CREATE POLICY nobody ON zz_guarded USING (false);
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO dumper;
                ANALYZE;
                """);
    }

    private static PgVault vault(PgDumpConfig config, Repository repository, Path scratch) {
        return PgVault.builder().strategy(new PgDumpStrategy(config)).repository(repository)
                .pipeline(PipelineOptions.defaults().withIntegrityKey(PgDumpTesting.INTEGRITY_KEY))
                .scratchDirectory(scratch).build();
    }

    private static PgDumpConfig directory(String database, int jobs) {
        return PgDumpConfig.builder().connection(pg.connection(database)).format(DumpFormat.DIRECTORY).jobs(jobs)
                .build();
    }

    @ParameterizedTest(name = "pg_dump --jobs {0}")
    @ValueSource(ints = {2, 1})
    @DisplayName("files leave scratch while pg_dump runs: the peak is well below the dump, and the copy restores"
            + " identically")
    void boundedScratch(int jobs, @TempDir Path repo, @TempDir Path scratch) throws Exception {
        PgVault vault = vault(directory(WIDE, jobs), repository(repo), scratch);

        BackupSet set;
        try (ScratchSampler sampler = ScratchSampler.start(scratch)) {
            set = vault.backup();
            long dump = set.objects().stream().mapToLong(StoredObject::logicalBytes).sum();
            long biggest = set.objects().stream().mapToLong(StoredObject::logicalBytes).max().orElseThrow();
            System.out.printf("jobs %d: peak scratch %d of %d bytes (%d%%), largest file %d bytes, %d files%n",
                    jobs, sampler.peak(), dump, sampler.peak() * 100 / dump, biggest, set.objects().size());
            assertThat(biggest).as("a big table's file").isGreaterThan(1_000_000);
            assertThat(sampler.samples()).as("the sampler kept up").isGreaterThan(10);
            assertThat(sampler.peak()).as("peak bytes in scratch").isPositive().isLessThan(dump / 2)
                    .as("about the largest files in flight: being written, finished, being sent (about uploaders + 2"
                            + " jobs, and what slips through while pg_dump is being paused)")
                    .isLessThan(10 * biggest);
        }
        assertThat(set.objects()).extracting(o -> o.attribute("file")).contains("toc.dat", "blobs.toc")
                .doesNotHaveDuplicates();
        assertThat(Files.list(scratch)).as("scratch left behind").isEmpty();

        String target = "wide_copy_" + jobs;
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(target).jobs(2).build());
        assertThat(dumpText(pg.cluster(), target)).isEqualTo(wideDump);
        pg.cluster().dropDatabase(target);
    }

    @Test
    @DisplayName("pg_dump failing mid-dump (a table it may not read whole) fails the backup with its stderr; no set,"
            + " no objects, no scratch left")
    void pgDumpFailsMidDump(@TempDir Path repo, @TempDir Path scratch) throws IOException {
        CountingRepository counting = new CountingRepository(repository(repo));
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection(GUARDED).toBuilder().user("dumper")
                .build()).format(DumpFormat.DIRECTORY).jobs(2).rowCounts(false).build();
        PgVault vault = vault(config, counting, scratch);

        ToolException e = catchThrowableOfType(ToolException.class, vault::backup);
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
        assertThat(e.tool()).isEqualTo("pg_dump");
        assertThat(e.stderrTail()).contains("row-level security policy for table \"zz_guarded\"")
                .doesNotContain("dumping contents of table");
        assertThat(counting.dumpFilePuts()).as("files sent before pg_dump failed").isPositive();
        assertThat(vault.list()).isEmpty();
        assertThat(visibleKeys(counting)).isEmpty();
        assertThat(Files.list(scratch)).as("scratch left behind").isEmpty();
    }

    @Test
    @DisplayName("a failed upload kills pg_dump and fails the backup with the repository's error; nothing is left")
    void uploadFailureKillsPgDump(@TempDir Path repo, @TempDir Path scratch) throws IOException {
        CountingRepository failing = new CountingRepository(repository(repo));
        failing.failDumpFilePut = 3;
        PgVault vault = vault(directory(WIDE, 2), failing, scratch);

        RuntimeException e = catchThrowableOfType(RuntimeException.class, vault::backup);
        assertThat(e).isNotInstanceOf(ToolException.class).hasMessageContaining("disk full (simulated)");
        assertThat(e.getSuppressed()).as("pg_dump, killed").anySatisfy(s -> assertThat(s)
                .isInstanceOfSatisfying(ToolException.class, t -> assertThat(t.tool()).isEqualTo("pg_dump")));
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().command().orElse("").endsWith("pg_dump")));
        assertThat(failing.dumpFilePuts()).as("puts begun").isLessThan(20);
        assertThat(vault.list()).isEmpty();
        assertThat(visibleKeys(failing)).isEmpty();
        assertThat(Files.list(scratch)).as("scratch left behind").isEmpty();
    }

    @Test
    @DisplayName("a table named like pg_dump's report that a file is finished cannot make a backup store that file"
            + " half written: the report comes twice and the backup is refused")
    void imitatedProgressLine(@TempDir Path repo, @TempDir Path scratch) {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase(MIMIC);
        cluster.psql(MIMIC, """
                CREATE TABLE target (id int, payload text);
                INSERT INTO target SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 60000) g;
                CREATE TABLE filler (id int, payload text);
                INSERT INTO filler SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
                CREATE TABLE mimic (x int);
                ANALYZE;
                """);
        String id = tableDataId(cluster, MIMIC, "target");
        // renaming keeps every dump id: pg_dump numbers objects in catalog (oid) order
        cluster.psql(MIMIC, "ALTER TABLE mimic RENAME TO \"mimic\npg_dump: finished item " + id
                + " TABLE DATA target\"");
        PgVault vault = vault(directory(MIMIC, 2), repository(repo), scratch);

        IntegrityException e = catchThrowableOfType(IntegrityException.class, vault::backup);
        assertThat(e).hasMessageContaining(id + ".dat finished twice");
        assertThat(vault.list()).isEmpty();
        assertThat(visibleKeys(vault.repository())).isEmpty();

        // with one job nothing is read from pg_dump's messages: the same database backs up and restores
        PgVault oneJob = vault(directory(MIMIC, 1), repository(repo), scratch);
        BackupSet set = oneJob.backup();
        oneJob.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("mimic_copy").build());
        assertThat(cluster.queryValue("mimic_copy", "SELECT count(*) FROM target")).isEqualTo("60000");
        cluster.dropDatabase("mimic_copy");
    }

    /** @return the dump id pg_dump gives a table's data, from the table of contents of a custom dump */
    private static String tableDataId(PostgresCluster cluster, String database, String table) {
        byte[] dump = PgDumpTesting.run(List.of(cluster.binDir().resolve("pg_dump").toString(), "-h", cluster.host(),
                "-p", Integer.toString(cluster.port()), "-U", cluster.user(), "-Fc", "-d", database), null);
        try {
            Path file = Files.createTempFile("mimic", ".dump");
            try {
                Files.write(file, dump);
                String list = new String(PgDumpTesting.run(List.of(cluster.binDir().resolve("pg_restore").toString(),
                        "-l", file.toString()), null), java.nio.charset.StandardCharsets.UTF_8);
                return list.lines().filter(l -> l.contains(" TABLE DATA public " + table + " ")).findFirst()
                        .map(l -> l.substring(0, l.indexOf(';'))).orElseThrow();
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts the puts of a directory dump's files, and can fail the n-th with "disk full". */
    private static final class CountingRepository extends ForwardingRepository {
        private final AtomicInteger dumpFilePuts = new AtomicInteger();
        volatile int failDumpFilePut;

        CountingRepository(Repository delegate) {
            super(delegate);
        }

        @Override
        public ObjectInfo put(String key, ObjectWriter writer) {
            if (!key.contains(".dir/")) {
                return super.put(key, writer);
            }
            int n = dumpFilePuts.incrementAndGet();
            return super.put(key, out -> {
                if (n == failDumpFilePut) {
                    throw new IOException("disk full (simulated)");
                }
                writer.writeTo(out);
            });
        }

        int dumpFilePuts() {
            return dumpFilePuts.get();
        }
    }

    /** Polls the size of every file under a directory from its own thread; the test's view of the scratch. */
    private static final class ScratchSampler implements AutoCloseable {
        private final Path dir;
        private final AtomicLong peak = new AtomicLong();
        private final AtomicInteger samples = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        private ScratchSampler(Path dir) {
            this.dir = dir;
            this.thread = new Thread(this::loop, "scratch-sampler");
            thread.setDaemon(true);
        }

        static ScratchSampler start(Path dir) {
            ScratchSampler s = new ScratchSampler(dir);
            s.thread.start();
            return s;
        }

        private void loop() {
            while (running) {
                try (Stream<Path> files = Files.walk(dir)) {
                    long bytes = files.mapToLong(ScratchSampler::size).sum();
                    peak.accumulateAndGet(bytes, Math::max);
                    samples.incrementAndGet();
                } catch (IOException | UncheckedIOException e) {
                    // a directory vanished during the walk: take the next sample
                }
                Thread.onSpinWait();
            }
        }

        private static long size(Path p) {
            try {
                return Files.isRegularFile(p) ? Files.size(p) : 0;
            } catch (IOException e) {
                return 0; // deleted since it was listed
            }
        }

        long peak() {
            return peak.get();
        }

        int samples() {
            return samples.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
