package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.StoredObject;
import io.pgvault.api.VerifyResult;
import io.pgvault.backend.pgdump.PgDumpTesting.RecordingLauncher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.pgvault.backend.pgdump.PgDumpTesting.dumpText;
import static io.pgvault.backend.pgdump.PgDumpTesting.encryption;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.vault;
import static org.assertj.core.api.Assertions.assertThat;

/** DemoDatabase.awkward() survives backup and restore in every format, with and without encryption. */
class PgDumpRoundTripIT {
    private static final String SOURCE = "awkward";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static String sourceDump;
    private static Map<String, String> sourceFingerprint;

    @BeforeAll
    static void createSource() {
        PostgresCluster cluster = pg.cluster();
        cluster.createDatabase(SOURCE);
        DemoDatabase.awkward().applyTo(cluster, SOURCE);
        sourceDump = dumpText(cluster, SOURCE);
        sourceFingerprint = DemoDatabase.fingerprint(cluster, SOURCE);
    }

    static Stream<Arguments> formatsAndEncryptions() {
        return Stream.of(
                Arguments.of(DumpFormat.PLAIN, "none", 1),
                Arguments.of(DumpFormat.PLAIN, "passphrase", 1),
                Arguments.of(DumpFormat.PLAIN, "x25519", 1),
                Arguments.of(DumpFormat.CUSTOM, "none", 1),
                Arguments.of(DumpFormat.CUSTOM, "passphrase", 2),
                Arguments.of(DumpFormat.CUSTOM, "x25519", 1),
                Arguments.of(DumpFormat.DIRECTORY, "none", 2),
                Arguments.of(DumpFormat.DIRECTORY, "passphrase", 2),
                Arguments.of(DumpFormat.DIRECTORY, "x25519", 1));
    }

    @ParameterizedTest(name = "{0}, encryption {1}, restore jobs {2}")
    @MethodSource("formatsAndEncryptions")
    @DisplayName("a restored copy dumps exactly like the source (tables, large objects, sequences, grants)")
    void roundTrip(DumpFormat format, String scheme, int restoreJobs, @TempDir Path repo) {
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection(SOURCE)).format(format)
                .jobs(format == DumpFormat.DIRECTORY ? 2 : 1).build();
        PgVault vault = vault(config, repository(repo), encryption(scheme));

        BackupSet set = vault.backup();
        if (scheme.equals("none")) {
            // the structure check does not depend on encryption; with age-scrypt every object pays a key derivation
            VerifyResult verified = vault.verify(set.id(), true);
            assertThat(verified.problems()).isEmpty();
        }

        String target = "copy_" + format.label() + "_" + scheme;
        RestoreResult result = vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(target)
                .jobs(restoreJobs).build());

        assertThat(result.databases()).containsExactly(target);
        assertThat(dumpText(pg.cluster(), target)).isEqualTo(sourceDump);
        assertThat(DemoDatabase.fingerprint(pg.cluster(), target)).isEqualTo(sourceFingerprint)
                .containsKey("large objects")
                .anySatisfy((k, v) -> assertThat(k).startsWith("sequence "));
        assertThat(PgDumpTesting.stagingLeftovers(pg.cluster())).isEmpty();
        pg.cluster().dropDatabase(target);
    }

    @Test
    @DisplayName("the set records the server and pg_dump versions, the format and the databases")
    void recordsWhatWasDumped(@TempDir Path repo) {
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection(SOURCE)).build();
        BackupSet set = vault(config, repository(repo), encryption("none")).backup();

        assertThat(set.strategy()).isEqualTo("pgdump");
        assertThat(set.source()).isEqualTo(SOURCE);
        assertThat(set.attributes()).containsEntry("format", "custom")
                .containsEntry("databases", "[\"" + SOURCE + "\"]")
                .containsEntry("serverVersionNum", pg.cluster().queryValue("postgres", "SHOW server_version_num"))
                .hasEntrySatisfying("serverVersion", v -> assertThat(v).startsWith(pg.cluster().version()))
                .hasEntrySatisfying("clientVersion", v -> assertThat(v).startsWith("pg_dump (PostgreSQL) "));
        assertThat(set.objects()).singleElement().satisfies(o -> {
            assertThat(o.name()).isEqualTo(SOURCE + ".dump");
            assertThat(o.attributes()).containsEntry("database", SOURCE).containsEntry("format", "custom")
                    .containsEntry("role", "dump").containsEntry("owner", "postgres");
        });
        assertThat(set.objects()).extracting(StoredObject::logicalBytes).allSatisfy(n -> assertThat(n).isPositive());
    }

    @Test
    @DisplayName("a restore over an existing database runs psql six times: preflight, catalog, staging database, "
            + "version, load, swap")
    void fewToolRuns(@TempDir Path repo) {
        RecordingLauncher launcher = new RecordingLauncher();
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection(SOURCE)).format(DumpFormat.PLAIN)
                .build();
        PgVault vault = vault(config, repository(repo), encryption("none"), new ProcessRunner(launcher));
        BackupSet set = vault.backup();
        // pg_dump --version, the catalog query, the session that exports the snapshot and counts rows, the dump
        assertThat(tools(launcher.argvs())).as("backup").containsExactly("pg_dump", "psql", "psql", "pg_dump");
        String target = "copy_replaced";
        pg.cluster().createDatabase(target);
        int before = launcher.argvs().size();

        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase(target).dropExisting(true).build());

        List<List<String>> restore = launcher.argvs().subList(before, launcher.argvs().size());
        // the preflight's catalog (before the set is read), the catalog again, the staging database, psql --version
        // (does it know \restrict? asked once per process), the load, and the swap (refuse a held staging database,
        // move the old one aside, rename, drop the old one)
        assertThat(tools(restore)).as("restore").containsExactly("psql", "psql", "psql", "psql", "psql", "psql");
        assertThat(dumpText(pg.cluster(), target)).isEqualTo(sourceDump);
        assertThat(PgDumpTesting.stagingLeftovers(pg.cluster())).isEmpty();
        pg.cluster().dropDatabase(target);
    }

    private static List<String> tools(List<List<String>> argvs) {
        return argvs.stream().map(argv -> Path.of(argv.get(0)).getFileName().toString()).toList();
    }
}
