package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.PgBackRestFixture;
import io.pgvault.backend.pgbackrest.PhysicalRestoreRequest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetAction;
import io.pgvault.spi.Repository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Mirrors of a real, encrypted pgBackRest 2.45 posix repository (PostgreSQL 15, one cluster for the class) to a
 * {@link LocalRepository}, restored with pgBackRest from a materialized copy that knows nothing of the source repo.
 * The source holds full1, diff1 (on full1) and full2, with the database changed between them.
 */
class PgBackRestMirrorIT {
    private static PgBackRestFixture f;
    private static BackupSet full1;
    private static BackupSet diff1;
    private static BackupSet full2;
    private static Map<String, String> atFull1;
    private static Map<String, String> atDiff1;
    private static final AtomicInteger TARGETS = new AtomicInteger();

    @BeforeAll
    static void setUp() {
        f = PgBackRestFixture.start("mirror", b -> b);
        f.pg.createDatabase("shop");
        DemoDatabase.realistic(1).applyTo(f.pg, "shop");
        full1 = f.pgbr.backup(BackupType.FULL, 1);
        atFull1 = DemoDatabase.fingerprint(f.pg, "shop");
        f.pg.psql("shop", "CREATE TABLE after_full1 AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g");
        diff1 = f.pgbr.backup(BackupType.DIFF, 1);
        atDiff1 = DemoDatabase.fingerprint(f.pg, "shop");
        f.pg.psql("shop", "CREATE TABLE after_diff1 AS SELECT g AS id FROM generate_series(1, 3000) g");
        full2 = f.pgbr.backup(BackupType.FULL, 1);
        f.pgbr.check();
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private static Path newTarget() {
        return f.base.resolve("target-" + TARGETS.incrementAndGet());
    }

    private static TierFilter only(BackupSet... sets) {
        Set<BackupId> ids = Stream.of(sets).map(BackupSet::id).collect(Collectors.toSet());
        return TierFilter.matching("only " + ids, s -> ids.contains(s.id()));
    }

    private static PgBackRestMirror.Builder mirror(Repository target, TierFilter filter) {
        return PgBackRestMirror.builder("mirror").source(f.pgbr, 1)
                .tier(Tier.builder("drive", target).filter(filter).build())
                .localOwner(PostgresCluster.SUPERUSER);
    }

    private static Map<String, String> restoreImmediate(Path materialized) {
        Path data = f.newDirectory("restored");
        PgBackRest tool = f.restoreTool(materialized, data);
        tool.restore(PhysicalRestoreRequest.builder().target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(data).build());
        try (PostgresCluster copy = f.startRestored(data)) {
            return DemoDatabase.fingerprint(copy, "shop");
        } finally {
            Directories.deleteRecursively(data);
        }
    }

    private static byte[] read(InputStream in) {
        try (InputStream s = in) {
            return s.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("a full and its WAL mirrored, materialized and restored by pgBackRest from the mirror alone "
            + "match the source at the end of the backup")
    void restoresFromTheMirrorAlone() {
        LocalRepository target = LocalRepository.at(newTarget());
        PgBackRestMirror m = mirror(target, only(full1)).build();

        MirrorRun run = m.mirror();

        assertThat(run.succeeded()).as(run.describe()).isTrue();
        assertThat(run.copies()).extracting(c -> c.id()).containsExactly(full1.id());
        MirroredSet held = m.holdings().get(0);
        assertThat(held.label()).isEqualTo(full1.id().value());
        assertThat(held.cipher()).isEqualTo("aes-256-cbc");
        String walStart = full1.attribute(PgBackRestBackup.WAL_START).orElseThrow();
        assertThat(held.wal()).extracting(MirroredFile::path)
                .anyMatch(p -> p.contains("/" + walStart + "-"))
                .anyMatch(p -> p.contains("/" + walStart + ".") && p.contains(".backup"));
        // byte for byte: the encrypted manifest on the mirror is the source's file
        String manifest = "backup/mirror/" + full1.id().value() + "/backup.manifest";
        assertThat(read(target.open("pgbackrest/repo/" + manifest)))
                .isEqualTo(read(SourceRepo.posix(f.base.resolve("repo1")).open(manifest)));

        Path local = f.newDirectory("materialized");
        MaterializedRepo repo = m.materialize(local, List.of(full1.id()));
        assertThat(repo.sets()).containsExactly(full1.id());
        assertThat(repo.filesDownloaded()).isEqualTo(held.fileCount()); // its files, WAL and info snapshot

        PgBackRest tool = f.restoreTool(local, f.newDirectory("unused"));
        // backup.info is pgBackRest's own, byte for byte: it still lists the sets the mirror does not hold ...
        assertThat(tool.backups(OptionalInt.of(1))).extracting(PgBackRestBackup::id)
                .contains(full1.id(), diff1.id(), full2.id());
        // ... until expire rebuilds it from the manifests present
        assertThat(repo.forgetAbsentSets(tool, 1)).containsExactly(full1.id());

        assertThat(restoreImmediate(local)).isEqualTo(atFull1);
        Directories.deleteRecursively(local);
    }

    @Test
    @DisplayName("a selected DIFF brings its full; a second run sends only the new set's files, every key once")
    void incremental() {
        CountingRepository target = new CountingRepository(LocalRepository.at(newTarget()));
        MirrorRun first = mirror(target, only(full1)).build().mirror();
        assertThat(first.succeeded()).as(first.describe()).isTrue();
        int firstPuts = target.totalPuts();
        assertThat(first.filesSent()).isEqualTo(firstPuts - 1); // every file, plus the set record

        PgBackRestMirror both = mirror(target, only(diff1)).build();
        MirrorRun second = both.mirror();

        assertThat(second.succeeded()).as(second.describe()).isTrue();
        assertThat(second.copies()).extracting(c -> c.id()).containsExactly(diff1.id());
        MirroredSet d = both.holdings().stream().filter(s -> s.id().equals(diff1.id())).findFirst().orElseThrow();
        MirroredSet full = both.holdings().stream().filter(s -> s.id().equals(full1.id())).findFirst()
                .orElseThrow();
        Set<String> fullPaths = full.allFiles().stream().map(MirroredFile::path).collect(Collectors.toSet());
        long newFiles = d.allFiles().stream().filter(x -> !fullPaths.contains(x.path())).count();
        assertThat(second.filesSent()).isEqualTo((int) newFiles);
        // the unchanged info files (the diff's snapshot is the full's) count as shared too
        assertThat(second.filesShared()).isEqualTo(d.fileCount() - (int) newFiles);
        assertThat(second.filesSent()).isLessThan(first.filesSent());
        assertThat(target.puts.values()).allMatch(n -> n.get() == 1);

        MirrorRun third = both.mirror();
        assertThat(third.copies()).isEmpty();
        assertThat(third.filesSent()).isZero();

        Path local = f.newDirectory("materialized");
        MaterializedRepo repo = both.materialize(local, List.of(diff1.id()));
        assertThat(repo.sets()).containsExactly(full1.id(), diff1.id());
        repo.forgetAbsentSets(f.restoreTool(local, f.newDirectory("unused")), 1);
        assertThat(restoreImmediate(local)).isEqualTo(atDiff1);
        Directories.deleteRecursively(local);
    }

    @Test
    @DisplayName("a mirror whose target fails after 100 uploads lists nothing; the next run resumes without "
            + "sending any file twice")
    void resumesAnInterruptedMirror() {
        CountingRepository target = new CountingRepository(LocalRepository.at(newTarget()));
        PgBackRestMirror m = mirror(target, only(full2)).build();
        target.failAfter(100);

        MirrorRun broken = m.mirror();

        assertThat(broken.succeeded()).isFalse();
        assertThat(broken.copies()).singleElement().satisfies(c -> {
            assertThat(c.error()).hasValueSatisfying(e -> assertThat(e.getMessage()).contains("injected"));
            assertThat(c.objectsCopied()).isEqualTo(100);
        });
        assertThat(m.holdings()).isEmpty();

        target.heal();
        MirrorRun resumed = m.mirror();

        assertThat(resumed.succeeded()).as(resumed.describe()).isTrue();
        // 100 puts: two info snapshots (backup.info and archive.info; their .copy files have the same bytes and
        // share them), then 98 files, which the next run finds and keeps
        assertThat(resumed.filesResumed()).isEqualTo(98);
        MirroredSet held = m.holdings().get(0);
        assertThat(resumed.filesSent() + resumed.filesResumed() + resumed.filesShared()).isEqualTo(held.fileCount());
        assertThat(target.puts.values()).allMatch(n -> n.get() == 1);
        assertThat(m.verify().ok()).isTrue();
        assertThat(m.holdings().get(0).verifiedAt()).isPresent();
    }

    @Test
    @DisplayName("a symbolic link planted in the materialize directory is refused before anything is written; the "
            + "file it points to keeps its owner, mode and bytes")
    void plantedLink() throws IOException {
        LocalRepository target = LocalRepository.at(newTarget());
        PgBackRestMirror m = mirror(target, only(full1)).build();
        assertThat(m.mirror().succeeded()).isTrue();
        Path outside = Files.createDirectories(f.newDirectory("outside"));
        Path precious = Files.writeString(outside.resolve("shadow"), "root:secret\n");
        Files.setPosixFilePermissions(precious, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.nio.file.attribute.UserPrincipal owner = Files.getOwner(precious);
        for (String planted : List.of("backup", "archive/x")) {
            Path local = f.newDirectory("materialized-link");
            Files.createDirectories(local.resolve(planted).getParent());
            Files.createSymbolicLink(local.resolve(planted), planted.equals("backup") ? outside : precious);

            assertThatThrownBy(() -> m.materialize(local, List.of(full1.id())))
                    .isInstanceOf(IntegrityException.class).hasMessageContaining("symbolic link");
            try (Stream<Path> s = Files.walk(local)) {
                assertThat(s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))).isEmpty();
            }
            try (Stream<Path> s = Files.list(outside)) {
                assertThat(s).containsExactly(precious);
            }
            assertThat(Files.readString(precious)).isEqualTo("root:secret\n");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(precious)))
                    .isEqualTo("rw-------");
            assertThat(Files.getOwner(precious)).isEqualTo(owner);
            Directories.deleteRecursively(local);
        }
    }

    @Test
    @DisplayName("a mirrored file whose bytes changed is an IntegrityException on materialize naming it, and "
            + "verify() reports the set damaged")
    void detectsADamagedMirror() throws IOException {
        LocalRepository target = LocalRepository.at(newTarget());
        PgBackRestMirror m = mirror(target, only(full1)).build();
        assertThat(m.mirror().succeeded()).isTrue();
        MirroredFile victim = m.holdings().get(0).files().stream().filter(x -> x.path().contains("/pg_data/base/"))
                .max(java.util.Comparator.comparingLong(MirroredFile::size)).orElseThrow();
        byte[] bytes = read(target.open("pgbackrest/repo/" + victim.path()));
        bytes[bytes.length / 2] ^= 0x55;
        target.put("pgbackrest/repo/" + victim.path(), out -> out.write(bytes));

        Path local = f.newDirectory("materialized");
        assertThatThrownBy(() -> m.materialize(local, List.of(full1.id())))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining("pgbackrest/repo/" + victim.path())
                .hasMessageContaining("does not match its record")
                .hasMessageContaining(victim.sha256());
        Path file = local.resolve(victim.path());
        assertThat(file).doesNotExist();
        try (Stream<Path> s = Files.walk(local)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
        }

        MirrorVerifyResult v = m.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.damaged()).containsExactly(full1.id());
        assertThat(v.problems()).singleElement().asString().contains(victim.path());
        Directories.deleteRecursively(local);
    }

    @Test
    @DisplayName("the tier's retention prunes a mirrored full with the files and WAL only it needed")
    void prunesByTheTiersRetention() {
        LocalRepository target = LocalRepository.at(newTarget());
        assertThat(mirror(target, TierFilter.fullsOnly()).build().mirror().succeeded()).isTrue();
        PgBackRestMirror keepOne = PgBackRestMirror.builder("mirror").source(f.pgbr, 1)
                .tier(Tier.builder("drive", target).filter(TierFilter.fullsOnly())
                        .retention(RetentionPolicy.keepLast(1)).build())
                .build();
        assertThat(keepOne.holdings()).extracting(MirroredSet::id).containsExactly(full1.id(), full2.id());
        MirroredSet old = keepOne.holdings().get(0);

        PruneReport dry = keepOne.prune(PruneMode.DRY_RUN);
        assertThat(dry.removed()).extracting(BackupSet::id).containsExactly(full1.id());
        assertThat(keepOne.holdings()).hasSize(2);

        PruneReport done = keepOne.prune(PruneMode.EXECUTE);

        assertThat(done.removed()).extracting(BackupSet::id).containsExactly(full1.id());
        assertThat(keepOne.holdings()).extracting(MirroredSet::id).containsExactly(full2.id());
        assertThat(target.list("pgbackrest/repo/backup/mirror/" + full1.id().value() + "/")).isEmpty();
        Set<String> kept = keepOne.holdings().get(0).allFiles().stream().map(MirroredFile::path)
                .collect(Collectors.toSet());
        assertThat(old.wal()).filteredOn(w -> !kept.contains(w.path())).isNotEmpty()
                .allSatisfy(w -> assertThat(target.stat("pgbackrest/repo/" + w.path())).isEmpty());
        assertThat(keepOne.verify().ok()).isTrue();
        // a mirror run afterwards does not bring the pruned full back
        assertThat(keepOne.mirror().copies()).isEmpty();
    }

    @Test
    @DisplayName("with the PITR policy a set carries the WAL up to the next selected set, and newly archived WAL "
            + "is added to the newest set by the next run")
    void pitrWal() {
        LocalRepository target = LocalRepository.at(newTarget());
        PgBackRestMirror consistency = mirror(LocalRepository.at(newTarget()), only(full1)).build();
        assertThat(consistency.mirror().succeeded()).isTrue();
        PgBackRestMirror pitr = mirror(target, only(full1, full2)).wal(WalPolicy.PITR).build();

        assertThat(pitr.mirror().succeeded()).isTrue();

        MirroredSet f1 = pitr.holdings().get(0);
        MirroredSet f2 = pitr.holdings().get(1);
        String stop1 = full1.attribute(PgBackRestBackup.WAL_STOP).orElseThrow();
        String start2 = full2.attribute(PgBackRestBackup.WAL_START).orElseThrow();
        assertThat(f1.wal().size()).isGreaterThan(consistency.holdings().get(0).wal().size());
        assertThat(segments(f1)).anyMatch(s -> s.compareTo(stop1) > 0).allMatch(s -> s.compareTo(start2) < 0);
        int before = f2.wal().size();

        f.pgbr.check(); // archives one more segment
        MirrorRun next = pitr.mirror();

        assertThat(next.copies()).isEmpty();
        assertThat(next.walExtended()).isGreaterThanOrEqualTo(1);
        assertThat(pitr.holdings().get(1).wal().size()).isEqualTo(before + next.walExtended());
        assertThat(pitr.holdings().get(0).wal()).isEqualTo(f1.wal());
    }

    private static List<String> segments(MirroredSet s) {
        return s.wal().stream().map(w -> w.path().substring(w.path().lastIndexOf('/') + 1))
                .filter(n -> n.matches("[0-9A-F]{24}-.*")).map(n -> n.substring(0, 24)).toList();
    }
}
