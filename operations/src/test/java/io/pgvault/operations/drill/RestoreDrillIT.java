package io.pgvault.operations.drill;

import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.StoredObject;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.operations.drill.DrillCheck.Outcome;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drills of pg_dump sets of the realistic demo shop against real PostgreSQL: a good set passes and is recorded; damaged
 * sets fail with a clear report and are not; the throwaway server is gone afterwards either way.
 */
class RestoreDrillIT {
    private static final String SHOP = "shop";
    private static final Pattern PORT = Pattern.compile(":(\\d+)$");

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    private static Path repoDir;
    private static LocalRepository repository;
    private static PgVault vault;
    private static BackupSet good;
    private static Map<String, Long> sourceCounts;

    private final List<VaultEvent> events = new ArrayList<>();
    private Path work;

    @BeforeAll
    static void backUpTheShop() throws IOException {
        pg.cluster().createDatabase(SHOP);
        DemoDatabase.realistic(1).applyTo(pg.cluster(), SHOP);
        sourceCounts = DemoDatabase.rowCounts(pg.cluster(), SHOP);
        repoDir = Files.createTempDirectory("pgvault-drill-repo-");
        repository = LocalRepository.at(repoDir);
        vault = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(SHOP)).build()))
                .repository(repository)
                .build();
        good = vault.backup();
    }

    @AfterAll
    static void removeRepository() {
        if (repoDir != null) {
            Directories.deleteRecursively(repoDir);
        }
    }

    @BeforeEach
    void workDirectory() throws IOException {
        // the server's OS user must be able to enter it: not JUnit's 0700 @TempDir
        work = Files.createTempDirectory(Path.of("/tmp"), "drill-work-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeWorkDirectory() throws IOException {
        Directories.deleteRecursively(work);
    }

    private LogicalDrill.Builder drill() {
        return LogicalDrill.builder().vault(vault).workDirectory(work).listener(events::add);
    }

    @Test
    @DisplayName("a good set passes: row counts match, amcheck and assertions pass, lastVerified and the record are written")
    void goodSetPasses() throws Exception {
        RestoreDrill drill = drill().backupId(good.id())
                .assertion(SqlAssertion.isTrue("orders exist", "SELECT count(*) > 0 FROM shop.orders"))
                .assertion(SqlAssertion.rowCount("200 products", "SELECT * FROM shop.products", 200))
                .build();
        Callable<DrillReport> scheduled = drill::run;

        DrillReport report = scheduled.call();

        assertThat(report.passed()).as(report.toText()).isTrue();
        assertThat(report.setId()).contains(good.id());
        assertThat(report.rto()).isPresent();
        assertThat(report.duration()).isGreaterThanOrEqualTo(report.rto().get());
        assertThat(outcome(report, "integrity")).isEqualTo(Outcome.PASSED);
        assertThat(outcome(report, "restore")).isEqualTo(Outcome.PASSED);
        DrillCheck counts = check(report, "row counts shop");
        assertThat(counts.outcome()).isEqualTo(Outcome.PASSED);
        long rows = sourceCounts.values().stream().mapToLong(Long::longValue).sum();
        assertThat(counts.expected()).isEqualTo(sourceCounts.size() + " tables, " + rows + " rows")
                .isEqualTo(counts.actual());
        DrillCheck amcheck = check(report, "amcheck shop");
        assertThat(amcheck.outcome()).isIn(Outcome.PASSED, Outcome.SKIPPED);
        if (amcheck.outcome() == Outcome.PASSED) {
            assertThat(amcheck.actual()).endsWith(", 0 corrupt").doesNotStartWith("0 consistent");
        } else {
            assertThat(amcheck.detail()).contains("amcheck is not available");
        }
        assertThat(outcome(report, "assertion orders exist")).isEqualTo(Outcome.PASSED);
        assertThat(check(report, "assertion 200 products").actual()).isEqualTo("200 row(s)");

        assertThat(vault.find(good.id()).orElseThrow().lastVerified()).contains(report.finishedAt());
        DrillRecord last = RestoreDrill.lastPassedDrill(repository).orElseThrow();
        assertThat(last.setId()).isEqualTo(good.id());
        assertThat(last.rto()).contains(java.time.Duration.ofMillis(report.rto().get().toMillis()));
        assertThat(events).singleElement().isInstanceOfSatisfying(DrillCompleted.class,
                e -> assertThat(e.report()).isEqualTo(report));
        assertThrowawayGone(report);
    }

    @Test
    @DisplayName("a corrupted object fails the drill as an integrity failure before anything is restored")
    void corruptedObject() throws IOException {
        BackupSet set = vault.backup();
        StoredObject dump = set.objects().get(0);
        Path file = repoDir.resolve(dump.key());
        assertThat(file).exists();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long middle = f.length() / 2;
            f.seek(middle);
            int b = f.read();
            f.seek(middle);
            f.write(b ^ 0x5a);
        }

        DrillReport report = drill().backupId(set.id()).build().run();

        assertThat(report.passed()).isFalse();
        DrillCheck integrity = check(report, "integrity");
        assertThat(integrity.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(integrity.detail()).contains(dump.key());
        assertThat(report.checks()).extracting(DrillCheck::name).containsExactly("integrity");
        assertThat(report.rto()).isEmpty();
        assertThat(report.toText()).contains("FAILED").contains(dump.key());
        assertNotVerified(set, report);
        assertThrowawayGone(report);
    }

    @Test
    @DisplayName("a restore refused before the set is read (its database already exists on the drill's server) fails "
            + "the drill without claiming that integrity was checked")
    void refusedBeforeReading() {
        BackupSet set = vault.backup();

        DrillReport report = drill().backupId(set.id()).prepareSql("CREATE DATABASE " + SHOP).build().run();

        assertThat(report.passed()).isFalse();
        assertThat(check(report, "integrity").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(check(report, "integrity").detail()).contains("not checked");
        DrillCheck restore = check(report, "restore");
        assertThat(restore.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(restore.detail()).contains("refused before the set was read").contains("already exist");
        assertThat(report.rto()).isEmpty();
        assertNotVerified(set, report);
        assertThrowawayGone(report);
    }

    @Test
    @DisplayName("a manifest whose recorded row count disagrees with the dump fails the row-count check")
    void rowCountMismatch() {
        BackupSet taken = vault.backup();
        Map<String, String> attributes = new HashMap<>(taken.attributes());
        String counts = attributes.get("rowCounts");
        String customers = "\"shop.customers\":" + sourceCounts.get("shop.customers");
        assertThat(counts).contains(customers);
        // a committed manifest is never rewritten by pgvault: tamper with it as someone with write access would
        try (java.io.InputStream in = vault.repository().open(io.pgvault.api.Catalog.manifestKey(taken.id()))) {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var doc = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(in);
            ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("set").get("attributes")).put("rowCounts",
                    counts.replace(customers, "\"shop.customers\":999999"));
            vault.repository().put(io.pgvault.api.Catalog.manifestKey(taken.id()), out -> out.write(
                    mapper.writeValueAsBytes(doc)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        DrillReport report = drill().backupId(taken.id()).build().run();

        assertThat(report.passed()).isFalse();
        assertThat(report.rto()).isPresent();
        DrillCheck rows = check(report, "row counts shop");
        assertThat(rows.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(rows.detail()).isEqualTo("shop.customers has " + sourceCounts.get("shop.customers")
                + " rows, expected 999999");
        assertThat(report.failedChecks()).containsExactly(rows);
        assertNotVerified(taken, report);
        assertThat(RestoreDrill.lastDrill(repository).orElseThrow().failures())
                .anySatisfy(f -> assertThat(f).contains("shop.customers has"));
        assertThrowawayGone(report);
    }

    @Test
    @DisplayName("a failing user assertion fails the drill and says what it expected and found")
    void failingAssertion() {
        BackupSet set = vault.backup();

        DrillReport report = drill().backupId(set.id()).amcheck(false)
                .assertion(SqlAssertion.isTrue("no cancelled orders", "SELECT NOT EXISTS (SELECT FROM shop.orders"
                        + " WHERE status = 'cancelled')"))
                .assertion(SqlAssertion.rowCount("exactly one product", "SELECT * FROM shop.products", 1))
                .assertion(SqlAssertion.isTrue("broken query", "SELECT * FROM shop.no_such_table"))
                .build().run();

        assertThat(report.passed()).isFalse();
        assertThat(check(report, "row counts shop").outcome()).isEqualTo(Outcome.PASSED);
        assertThat(report.checks()).extracting(DrillCheck::name).doesNotContain("amcheck shop");
        DrillCheck rows = check(report, "assertion exactly one product");
        assertThat(rows.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(rows.expected()).isEqualTo("1 row(s)");
        assertThat(rows.actual()).isEqualTo("200 row(s)");
        assertThat(check(report, "assertion broken query").detail()).contains("no_such_table");
        assertThat(report.toJson()).contains("\"passed\" : false").contains("exactly one product");
        assertNotVerified(set, report);
        assertThrowawayGone(report);
    }

    @Test
    @DisplayName("an unauthenticated set (a vault without a key, no opt-in) is never drilled: no server starts")
    void unauthenticatedNotDrilled() throws IOException {
        PgVault strict = PgVault.builder()
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(SHOP)).build()))
                .repository(repository)
                .build();

        DrillReport report = LogicalDrill.builder().vault(strict).backupId(good.id()).workDirectory(work).build()
                .run();

        assertThat(report.passed()).isFalse();
        assertThat(report.problems()).singleElement().asString().contains("is not drilled").contains("unsigned");
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    @DisplayName("a vault without sets reports a failed drill that says so, and starts no server")
    void nothingToDrill(@TempDir Path empty) throws IOException {
        PgVault none = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(SHOP)).build()))
                .repository(LocalRepository.at(empty))
                .build();

        DrillReport report = LogicalDrill.builder().vault(none).workDirectory(work).build().run();

        assertThat(report.passed()).isFalse();
        assertThat(report.setId()).isEmpty();
        assertThat(report.problems()).singleElement().asString().contains("no complete backup set");
        assertThat(RestoreDrill.lastDrill(LocalRepository.at(empty))).isEmpty();
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s).isEmpty();
        }
    }

    private void assertNotVerified(BackupSet set, DrillReport report) {
        assertThat(vault.find(set.id()).orElseThrow().lastVerified()).isEmpty();
        assertThat(RestoreDrill.drills(repository)).anySatisfy(r -> {
            assertThat(r.setId()).isEqualTo(set.id());
            assertThat(r.passed()).isFalse();
        });
        assertThat(events).singleElement().isInstanceOfSatisfying(DrillCompleted.class,
                e -> assertThat(e.passed()).isFalse());
        assertThat(report.failedChecks().size() + report.problems().size()).isPositive();
    }

    /** The private directory is removed and the port is free again. */
    private void assertThrowawayGone(DrillReport report) {
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s).as("left in the work directory").isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(report.warnings()).isEmpty();
        Matcher m = PORT.matcher(report.target());
        assertThat(m.find()).as(report.target()).isTrue();
        int port = Integer.parseInt(m.group(1));
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        } catch (IOException e) {
            throw new AssertionError("port " + port + " of the throwaway server is still taken", e);
        }
    }

    private static DrillCheck check(DrillReport report, String name) {
        return report.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check '" + name + "' in\n" + report.toText()));
    }

    private static Outcome outcome(DrillReport report, String name) {
        return check(report, name).outcome();
    }
}
