package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Compression;
import io.pgvault.api.ConflictException;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.ForwardingRepository;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.rowCounts;
import static io.pgvault.backend.pgdump.PgDumpTesting.stagingLeftovers;
import static io.pgvault.backend.pgdump.PgDumpTesting.vault;
import static io.pgvault.backend.pgdump.PgDumpTesting.visibleKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** Bad input fails with a clear, typed error, and nothing is lost or left half-done. */
class PgDumpFailureIT {
    private static final String SOURCE = "orders";
    private static final String TARGET = "restore_target";
    private static final Map<String, Long> SOURCE_ROWS = Map.of("public.orders", 20000L);

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @BeforeAll
    static void createSource() {
        pg.cluster().createDatabase(SOURCE);
        // about 2 MB of dump, so that tools are mid-stream when something breaks
        pg.cluster().psql(SOURCE, """
                CREATE TABLE orders (id int PRIMARY KEY, note text);
                INSERT INTO orders SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 20000) g;
                """);
    }

    private static PgDumpConfig config(DumpFormat format) {
        return PgDumpConfig.builder().connection(pg.connection(SOURCE)).format(format).build();
    }

    /** A database that must survive untouched: one marker row. */
    private static void createKeeper(String name) {
        pg.cluster().dropDatabase(name);
        pg.cluster().createDatabase(name);
        pg.cluster().psql(name, "CREATE TABLE marker (note text); INSERT INTO marker VALUES ('keep me');");
    }

    private static void assertKeeperUntouched(String name) {
        assertThat(pg.cluster().queryValue(name, "SELECT note FROM marker")).isEqualTo("keep me");
    }

    @Nested
    @DisplayName("a damaged object in the repository")
    class Damaged {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"flipped byte", "truncated"})
        @DisplayName("fails verification, and restore refuses before creating or touching any database")
        void refused(String damage, @TempDir Path dir) throws IOException {
            LocalRepository repo = repository(dir);
            PgVault vault = vault(config(DumpFormat.CUSTOM), repo, encryption("none"));
            BackupSet set = vault.backup();
            damage(dir.resolve(set.objects().get(0).key()), damage);

            assertThat(vault.verify(set.id(), false).ok()).isFalse();
            assertThat(vault.verify(set.id(), true).ok()).isFalse();
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase(TARGET).build())).isInstanceOf(IntegrityException.class);
            assertThat(pg.cluster().databaseExists(TARGET)).isFalse();

            createKeeper(TARGET);
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase(TARGET).dropExisting(true).build())).isInstanceOf(IntegrityException.class);
            assertKeeperUntouched(TARGET);
            pg.cluster().dropDatabase(TARGET);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(DumpFormat.class)
        @DisplayName("without verifyFirst, the stream check stops the restore, the staging database is dropped and "
                + "an existing target survives")
        void streamCheck(DumpFormat format, @TempDir Path dir) throws IOException {
            LocalRepository repo = repository(dir);
            PgVault vault = vault(config(format), repo, encryption("none"));
            BackupSet set = vault.backup();
            StoredObject biggest = set.objects().stream()
                    .max((a, b) -> Long.compare(a.storedBytes(), b.storedBytes())).orElseThrow();
            damage(dir.resolve(biggest.key()), "truncated");
            createKeeper(TARGET);

            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase(TARGET).dropExisting(true).verifyFirst(false).build()))
                    .isInstanceOf(IntegrityException.class);
            assertKeeperUntouched(TARGET);
            assertThat(stagingLeftovers(pg.cluster())).isEmpty();

            pg.cluster().dropDatabase(TARGET);
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase(TARGET).verifyFirst(false).build())).isInstanceOf(IntegrityException.class);
            assertThat(pg.cluster().databaseExists(TARGET)).isFalse();
            assertThat(stagingLeftovers(pg.cluster())).isEmpty();
        }

        private static void damage(Path file, String how) throws IOException {
            long size = Files.size(file);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                if (how.equals("truncated")) {
                    f.setLength(size / 2);
                } else {
                    f.seek(size / 2);
                    int b = f.read();
                    f.seek(size / 2);
                    f.write(b ^ 0x01);
                }
            }
        }
    }

    @Test
    @DisplayName("a wrong passphrase is a DecryptionException and creates nothing")
    void wrongPassphrase(@TempDir Path dir) {
        BackupSet set = vault(config(DumpFormat.CUSTOM), repository(dir), encryption("passphrase")).backup();
        PgVault wrong = vault(config(DumpFormat.CUSTOM), repository(dir),
                new Encryption.Passphrase(Secret.of("not the passphrase"), 12));

        assertThatThrownBy(() -> wrong.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(TARGET)
                .build())).isInstanceOf(DecryptionException.class);
        assertThat(pg.cluster().databaseExists(TARGET)).isFalse();
        assertThat(stagingLeftovers(pg.cluster())).isEmpty();
        assertThat(wrong.verify(set.id(), true).ok()).isFalse();
    }

    @Test
    @DisplayName("pg_dump missing from binDir: TOOL_MISSING naming the directory, no set, no debris")
    void toolMissing(@TempDir Path dir, @TempDir Path emptyBinDir) {
        PgDumpConfig config = PgDumpConfig.builder()
                .connection(pg.connection(SOURCE).toBuilder().binDir(emptyBinDir).build()).build();
        PgVault vault = vault(config, repository(dir), encryption("none"));

        ToolException e = catchThrowableOfType(ToolException.class, vault::backup);
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_MISSING);
        assertThat(e.tool()).isEqualTo("pg_dump");
        assertThat(e.getMessage()).contains(emptyBinDir.toString()).contains("binDir");
        assertThat(vault.list()).isEmpty();
        assertThat(visibleKeys(vault.repository())).isEmpty();
    }

    @ParameterizedTest(name = "pg_dump {0}")
    @ValueSource(strings = {"exits 1", "is killed"})
    @DisplayName("pg_dump failing mid-stream fails the backup with its stderr; no set, no debris")
    void dumpFailsMidStream(String how, @TempDir Path dir, @TempDir Path binDir) throws IOException {
        Path real = pg.cluster().binDir();
        for (String tool : List.of("psql", "pg_restore", "pg_dumpall")) {
            PgDumpTesting.writeExecutable(binDir.resolve(tool), "#!/bin/sh\nexec '" + real.resolve(tool) + "' \"$@\"\n");
        }
        String ending = how.equals("exits 1") ? "exit 1" : "kill -KILL $$";
        PgDumpTesting.writeExecutable(binDir.resolve("pg_dump"), """
                #!/bin/sh
                for a in "$@"; do [ "$a" = --version ] && exec "%1$s/pg_dump" "$@"; done
                "%1$s/pg_dump" "$@" | head -c 100000
                echo "pg_dump: error: simulated failure after 100000 bytes" >&2
                %2$s
                """.formatted(real, ending));
        PgDumpConfig config = PgDumpConfig.builder()
                .connection(pg.connection(SOURCE).toBuilder().binDir(binDir).build()).format(DumpFormat.PLAIN)
                .build();
        PgVault vault = vault(config, repository(dir), encryption("none"));

        ToolException e = catchThrowableOfType(ToolException.class, vault::backup);
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
        assertThat(e.tool()).isEqualTo("pg_dump");
        assertThat(e.stderrTail()).contains("simulated failure");
        assertThat(vault.list()).isEmpty();
        assertThat(visibleKeys(vault.repository())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DumpFormat.class, names = {"PLAIN", "CUSTOM"})
    @DisplayName("a dump cut short by a pg_dump that still exits 0 is stored intact, and deep verify catches it")
    void silentTruncationCaughtByDeepVerify(DumpFormat format, @TempDir Path dir, @TempDir Path binDir) {
        Path real = pg.cluster().binDir();
        for (String tool : List.of("psql", "pg_restore", "pg_dumpall")) {
            PgDumpTesting.writeExecutable(binDir.resolve(tool), "#!/bin/sh\nexec '" + real.resolve(tool) + "' \"$@\"\n");
        }
        PgDumpTesting.writeExecutable(binDir.resolve("pg_dump"), """
                #!/bin/sh
                for a in "$@"; do [ "$a" = --version ] && exec "%1$s/pg_dump" "$@"; done
                "%1$s/pg_dump" "$@" | head -c 300000
                exit 0
                """.formatted(real));
        PgDumpConfig config = PgDumpConfig.builder()
                .connection(pg.connection(SOURCE).toBuilder().binDir(binDir).build()).format(format).build();
        PgVault vault = vault(config, repository(dir), encryption("none"));
        BackupSet set = vault.backup();

        assertThat(vault.verify(set.id(), false).ok()).as("checksums match what was stored").isTrue();
        assertThat(vault.verify(set.id(), true).problems()).singleElement().asString()
                .contains(set.objects().get(0).name())
                .containsAnyOf("does not end with '-- PostgreSQL database dump complete'", "cannot read the archive");
    }

    @Test
    @DisplayName("when the repository fails mid-stream, pg_dump is killed and no set is listed")
    void repositoryFailsMidStream(@TempDir Path dir) {
        Repository failing = new FailingRepository(repository(dir), 200_000);
        PgVault vault = PgVault.builder().acceptUnauthenticated(true).strategy(new PgDumpStrategy(config(DumpFormat.PLAIN))).repository(failing)
                .pipeline(PipelineOptions.defaults().withCompression(Compression.none())).build();

        assertThatThrownBy(vault::backup).hasMessageContaining("disk full (simulated)");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().command().orElse("").endsWith("pg_dump")));
        assertThat(vault.list()).isEmpty();
        assertThat(visibleKeys(failing)).isEmpty();
    }

    @Nested
    @DisplayName("an existing target database")
    class Existing {

        @Test
        @DisplayName("without dropExisting: ConflictException, and the database is unchanged")
        void conflict(@TempDir Path dir) {
            PgVault vault = vault(config(DumpFormat.CUSTOM), repository(dir), encryption("none"));
            BackupSet set = vault.backup();
            createKeeper(TARGET);

            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase(TARGET).build())).isInstanceOf(ConflictException.class)
                    .hasMessageContaining(TARGET).hasMessageContaining("dropExisting");
            assertKeeperUntouched(TARGET);
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id()).build()))
                    .isInstanceOf(ConflictException.class);
            assertThat(rowCounts(pg.cluster(), SOURCE)).isEqualTo(SOURCE_ROWS);
            pg.cluster().dropDatabase(TARGET);
        }

        @Test
        @DisplayName("a restore bound to fail (the name is taken, the target does not answer) fails before any "
                + "object is read, retrieved from an archive class or claimed")
        void refusedBeforeReading(@TempDir Path dir) {
            Watching repo = new Watching(repository(dir));
            PgVault vault = vault(config(DumpFormat.CUSTOM), repo, encryption("none"));
            BackupSet set = vault.backup();
            createKeeper(TARGET);
            repo.reads.clear();

            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase(TARGET).verifyFirst(true).build())).isInstanceOf(ConflictException.class);
            int deadPort = io.pgvault.spi.postgres.ThrowawayServer.freePort();
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("other")
                    .target(pg.connection(SOURCE).toBuilder().port(deadPort).build()).build()))
                    .isInstanceOf(io.pgvault.api.PgVaultException.class).hasMessageContaining(Integer.toString(deadPort));
            assertThat(repo.reads).as("objects opened, reads prepared, claims written").isEmpty();
            assertKeeperUntouched(TARGET);

            vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(TARGET).dropExisting(true)
                    .build());
            assertThat(repo.reads).as("a restore that goes ahead reads the set").isNotEmpty();
            assertThat(rowCounts(pg.cluster(), TARGET)).isEqualTo(SOURCE_ROWS);
            pg.cluster().dropDatabase(TARGET);
        }

        @Test
        @DisplayName("with dropExisting: replaced, even while a session is connected to it")
        void replaced(@TempDir Path dir) throws Exception {
            PgVault vault = vault(config(DumpFormat.PLAIN), repository(dir), encryption("none"));
            BackupSet set = vault.backup();
            createKeeper(TARGET);
            PostgresCluster cluster = pg.cluster();
            Process idle = new ProcessBuilder(cluster.binDir().resolve("psql").toString(), "-X", "-h", cluster.host(),
                    "-p", Integer.toString(cluster.port()), "-U", cluster.user(), "-d", TARGET).start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(cluster.queryValue("postgres",
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + TARGET + "'")));
                vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(TARGET).dropExisting(true)
                        .build());
            } finally {
                idle.destroyForcibly();
            }
            assertThat(rowCounts(cluster, TARGET)).isEqualTo(SOURCE_ROWS);
            cluster.dropDatabase(TARGET);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DumpFormat.class, names = {"PLAIN", "CUSTOM"})
    @DisplayName("a restore that fails midway drops the database it created and reports the tool's error")
    void failedRestoreLeavesNothing(DumpFormat format, @TempDir Path dir) {
        PostgresCluster cluster = pg.cluster();
        cluster.psql("postgres", "CREATE ROLE vanishing NOLOGIN; CREATE DATABASE owned_src;");
        cluster.psql("owned_src", "CREATE TABLE t (x int); INSERT INTO t VALUES (1); ALTER TABLE t OWNER TO vanishing;");
        PgVault vault = vault(PgDumpConfig.builder().connection(pg.connection("owned_src")).format(format).build(),
                repository(dir), encryption("none"));
        BackupSet set = vault.backup();
        cluster.psql("postgres", "DROP DATABASE owned_src; DROP ROLE vanishing;");

        ToolException e = catchThrowableOfType(ToolException.class, () -> vault.restore(RestoreRequest.builder()
                .backupId(set.id()).targetDatabase(TARGET).build()));
        assertThat(e.stderrTail()).contains("role \"vanishing\" does not exist");
        assertThat(cluster.databaseExists(TARGET)).isFalse();
        assertThat(stagingLeftovers(cluster)).isEmpty();
    }

    /** Records what a restore reads of a set: objects opened, reads prepared, read claims written. */
    private static final class Watching extends ForwardingRepository {
        final List<String> reads = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        Watching(Repository delegate) {
            super(delegate);
        }

        @Override
        public java.io.InputStream open(String key) {
            if (key.startsWith("data/")) {
                reads.add("open " + key);
            }
            return super.open(key);
        }

        @Override
        public void prepareRead(java.util.Collection<String> keys) {
            reads.add("prepareRead " + keys.size());
            super.prepareRead(keys);
        }

        @Override
        public ObjectInfo put(String key, io.pgvault.spi.ObjectWriter writer) {
            if (key.startsWith("records/") && key.contains("read")) {
                reads.add("claim " + key);
            }
            return super.put(key, writer);
        }
    }

    /** Fails every put once more than {@code limit} bytes were written to it. */
    private static final class FailingRepository extends ForwardingRepository {
        private final long limit;

        FailingRepository(Repository delegate, long limit) {
            super(delegate);
            this.limit = limit;
        }

        @Override
        public String id() {
            return "failing:" + super.id();
        }

        @Override
        public ObjectInfo put(String key, io.pgvault.spi.ObjectWriter writer) {
            return super.put(key, out -> writer.writeTo(new FilterOutputStream(out) {
                private long written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    written += len;
                    if (written > limit) {
                        throw new IOException("disk full (simulated)");
                    }
                    out.write(b, off, len);
                }
            }));
        }
    }
}
