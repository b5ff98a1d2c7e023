package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import io.pgvault.testkit.AgeTerminal;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static io.pgvault.backend.pgdump.PgDumpTesting.dumpText;
import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator can recover without pgvault: {@code age -d -i key} and {@code zstd -d} turn stored objects back into
 * the dumps pg_dump wrote, which {@code pg_restore} and {@code psql} restore as usual.
 */
class PgDumpAgeInteropIT {
    private static final String SOURCE = "interop";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @BeforeAll
    static void createSource() {
        pg.cluster().createDatabase(SOURCE);
        DemoDatabase.realistic(1).applyTo(pg.cluster(), SOURCE);
        pg.cluster().psql(SOURCE, "SELECT lo_from_bytea(0, 'a large object');");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DumpFormat.class, names = {"PLAIN", "CUSTOM"})
    @DisplayName("a set encrypted to an age-keygen key decrypts with the age CLI and restores with the stock tools")
    void operatorRecovers(DumpFormat format, @TempDir Path repo, @TempDir Path work) throws IOException {
        Path keyFile = work.resolve("key.txt");
        run(List.of("age-keygen", "-o", keyFile.toString()), null);
        String identity = Files.readAllLines(keyFile).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-1"))
                .findFirst().orElseThrow();
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection(SOURCE)).format(format)
                .includeGlobals(true).build();
        BackupSet set = PgDumpTesting.vault(config, repository(repo), Encryption.x25519(Secret.of(identity)))
                .backup();

        StoredObject globals = set.objects().get(0);
        StoredObject dump = set.objects().get(1);
        Path globalsSql = decryptAndDecompress(repo.resolve(globals.key()), keyFile, work.resolve("globals.sql"));
        Path dumpFile = decryptAndDecompress(repo.resolve(dump.key()), keyFile, work.resolve("dump"));
        assertThat(sha256(dumpFile)).isEqualTo(dump.logicalSha256());
        assertThat(Files.readString(globalsSql)).contains(StructureCheck.CLUSTER_DUMP_COMPLETE);

        PostgresCluster cluster = pg.cluster();
        String target = "recovered_" + format.label();
        cluster.createDatabase(target);
        List<String> connect = List.of("-h", cluster.host(), "-p", Integer.toString(cluster.port()),
                "-U", cluster.user(), "-d", target);
        if (format == DumpFormat.CUSTOM) {
            run(concat(List.of(cluster.binDir().resolve("pg_restore").toString(), "--exit-on-error"), connect,
                    List.of(dumpFile.toString())), null);
        } else {
            run(concat(List.of(cluster.binDir().resolve("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1"),
                    connect, List.of("-f", dumpFile.toString())), null);
        }
        assertThat(dumpText(cluster, target)).isEqualTo(dumpText(cluster, SOURCE));
        assertThat(DemoDatabase.fingerprint(cluster, target)).isEqualTo(DemoDatabase.fingerprint(cluster, SOURCE));
        cluster.dropDatabase(target);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DumpFormat.class, names = {"PLAIN", "CUSTOM", "DIRECTORY"})
    @DisplayName("a passphrase set opens with the runbook's commands: age -d the set's key file once (typing the "
            + "passphrase at a terminal), then age -d -i it on every object, zstd and the stock tools")
    void operatorRecoversPassphraseSet(DumpFormat format, @TempDir Path repo, @TempDir Path work)
            throws IOException {
        Secret passphrase = Secret.of("operator's passphrase: test only");
        PgDumpConfig config = PgDumpConfig.builder().connection(pg.connection(SOURCE)).format(format)
                .jobs(format == DumpFormat.DIRECTORY ? 2 : 1).build();
        BackupSet set = PgDumpTesting.vault(config, repository(repo),
                new Encryption.Passphrase(passphrase, 14)).backup();
        Path setDir = repo.resolve("data").resolve(set.id().value());
        assertThat(set.objects().get(0).key()).isEqualTo("data/" + set.id() + "/set-key.age");

        // docs/runbooks/restore-logical.md, "Restore without pgvault", passphrase sets
        Path keyFile = work.resolve("set-key.txt");
        AgeTerminal.run(work, passphrase, "age", "-d", "-o", keyFile.toString(),
                setDir.resolve("set-key.age").toString());
        assertThat(Files.readString(keyFile)).contains("AGE-SECRET-KEY-1");

        PostgresCluster cluster = pg.cluster();
        String target = "recovered_pass_" + format.label();
        cluster.createDatabase(target);
        List<String> connect = List.of("-h", cluster.host(), "-p", Integer.toString(cluster.port()),
                "-U", cluster.user(), "-d", target);
        List<StoredObject> dumps = set.objects().stream().filter(o -> !o.isSetKey()).toList();
        if (format == DumpFormat.DIRECTORY) {
            Path dir = Files.createDirectory(work.resolve("restore.dir"));
            for (StoredObject o : dumps) {
                String name = Path.of(o.key()).getFileName().toString().replace(".zst.age", "");
                decryptAndDecompress(repo.resolve(o.key()), keyFile, dir.resolve(name));
            }
            run(concat(List.of(cluster.binDir().resolve("pg_restore").toString(), "--exit-on-error", "-j", "2"),
                    connect, List.of(dir.toString())), null);
        } else {
            Path dumpFile = decryptAndDecompress(repo.resolve(dumps.get(0).key()), keyFile, work.resolve("dump"));
            assertThat(sha256(dumpFile)).isEqualTo(dumps.get(0).logicalSha256());
            if (format == DumpFormat.CUSTOM) {
                run(concat(List.of(cluster.binDir().resolve("pg_restore").toString(), "--exit-on-error"), connect,
                        List.of(dumpFile.toString())), null);
            } else {
                run(concat(List.of(cluster.binDir().resolve("psql").toString(), "-X", "-q", "-v",
                        "ON_ERROR_STOP=1"), connect, List.of("-f", dumpFile.toString())), null);
            }
        }
        assertThat(DemoDatabase.fingerprint(cluster, target)).isEqualTo(DemoDatabase.fingerprint(cluster, SOURCE));
        cluster.dropDatabase(target);
    }

    private static Path decryptAndDecompress(Path stored, Path keyFile, Path out) {
        assertThat(stored.getFileName().toString()).endsWith(".zst.age");
        Path zst = Path.of(out + ".zst");
        run(List.of("age", "-d", "-i", keyFile.toString(), "-o", zst.toString(), stored.toString()), null);
        run(List.of("zstd", "-q", "-d", zst.toString(), "-o", out.toString()), null);
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }
}
