package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.PgBackRestFixture;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PhysicalRestoreRequest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetAction;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Drive mirror at real deployments (issue 18, findings 1, 3 and 4), against real pgBackRest 2.45 and PostgreSQL
 * 15: a stanza re-created on a new cluster, a cipher passphrase rotated to a new repo, a run that dies before its set
 * record, PITR WAL after the source expired the mirrored set, a set expired before it was mirrored, and a source that
 * loses half a set's files after selection. Each test has its own cluster and stanza.
 */
class MirrorHardCasesIT {
    private static final Secret PASS2 = Secret.of("the rotated passphrase of repo2: do not use");

    private static TierFilter only(BackupSet... sets) {
        Set<BackupId> ids = Stream.of(sets).map(BackupSet::id).collect(Collectors.toSet());
        return TierFilter.matching("only " + ids, s -> ids.contains(s.id()));
    }

    private static PgBackRestMirror.Builder mirror(String stanza, PgBackRest source, int repo,
            io.pgvault.spi.Repository target, TierFilter filter) {
        return PgBackRestMirror.builder(stanza).source(source, repo)
                .tier(Tier.builder("drive", target).filter(filter).build())
                .localOwner(PostgresCluster.SUPERUSER);
    }

    private static String fingerprint(PostgresCluster pg) {
        return pg.queryValue("postgres", "SELECT count(*) || ':' || coalesce(sum(hashtext(v)), 0) FROM t");
    }

    /** Materializes {@code set} alone, restores it to its end with pgBackRest, and returns the table's fingerprint. */
    private static String restore(PgBackRestFixture f, PgBackRestMirror m, BackupSet set, Secret cipher) {
        Path local = f.newDirectory("materialized");
        MaterializedRepo repo = m.materialize(local, List.of(set.id()));
        Path data = f.newDirectory("restored");
        PgBackRest tool = f.restoreTool(local, data, cipher);
        assertThat(repo.forgetAbsentSets(tool, 1)).containsExactly(set.id());
        tool.restore(PhysicalRestoreRequest.builder().target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(data).build());
        try (PostgresCluster copy = f.startRestored(data)) {
            return fingerprint(copy);
        } finally {
            Directories.deleteRecursively(data);
            Directories.deleteRecursively(local);
        }
    }

    @Test
    @DisplayName("stanza deleted and re-created on a new initdb: F1 and F2 each restore from the mirror alone; "
            + "a run that dies before its set record leaves F1 restorable; the two cannot share one repository")
    void stanzaRecreated() {
        try (PgBackRestFixture f = PgBackRestFixture.start("again", b -> b)) {
            f.pg.psql("postgres", "CREATE TABLE t (v text); INSERT INTO t SELECT md5(g::text) FROM "
                    + "generate_series(1, 3000) g;");
            BackupSet f1 = f.pgbr.backup(BackupType.FULL, 1);
            String atF1 = fingerprint(f.pg);
            CountingRepository target = new CountingRepository(LocalRepository.at(f.newDirectory("drive")));
            MirrorRun first = mirror("again", f.pgbr, 1, target, only(f1)).build().mirror();
            assertThat(first.succeeded()).as(first.describe()).isTrue();

            // the server is migrated: a new cluster (new system identifier), the stanza deleted and created again
            f.pg.stop();
            f.pgbr.stanzaDelete(1, true);
            try (PostgresCluster b = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(f.base)
                    .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start()) {
                PgBackRest pgbrB = PgBackRest.of(PgBackRestFixture.configFor("again", b, b.dataDirectory(),
                        f.base.resolve("repo1"), f.base.resolve("conf-b"), f.base.resolve("work-b"),
                        Secret.of("pgvault test passphrase: do not use")).build());
                pgbrB.writeConfig();
                b.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbrB.archiveCommand()));
                b.restart();
                pgbrB.stanzaCreate();
                b.psql("postgres", "CREATE TABLE t (v text); INSERT INTO t SELECT md5((g * 7)::text) FROM "
                        + "generate_series(1, 1234) g;");
                BackupSet f2 = pgbrB.backup(BackupType.FULL, 1);
                String atF2 = fingerprint(b);
                assertThat(atF2).isNotEqualTo(atF1);

                // the first attempt dies after F2's files and info snapshot, before its record
                target.failWhen(k -> k.contains("/sets/"));
                PgBackRestMirror m = mirror("again", pgbrB, 1, target, only(f2)).build();
                MirrorRun dead = m.mirror();
                assertThat(dead.succeeded()).isFalse();
                assertThat(m.holdings()).extracting(MirroredSet::id).containsExactly(f1.id());
                assertThat(restore(f, m, f1, Secret.of("pgvault test passphrase: do not use"))).isEqualTo(atF1);

                target.heal();
                MirrorRun second = m.mirror();
                assertThat(second.succeeded()).as(second.describe()).isTrue();
                List<MirroredSet> held = m.holdings();
                assertThat(held).extracting(MirroredSet::id).containsExactly(f1.id(), f2.id());
                assertThat(held.get(0).incarnation()).isNotEqualTo(held.get(1).incarnation());
                assertThat(m.verify().ok()).isTrue();

                assertThat(restore(f, m, f1, Secret.of("pgvault test passphrase: do not use"))).isEqualTo(atF1);
                assertThat(restore(f, m, f2, Secret.of("pgvault test passphrase: do not use"))).isEqualTo(atF2);
                assertThatThrownBy(() -> m.materialize(f.newDirectory("both"), List.of(f1.id(), f2.id())))
                        .isInstanceOf(ConfigurationException.class).hasMessageContaining("incarnations");
                List<MaterializedRepo> each = m.materializeEach(f.newDirectory("each"), List.of());
                assertThat(each).extracting(MaterializedRepo::sets)
                        .containsExactly(List.of(f1.id()), List.of(f2.id()));
                assertThat(each.get(0).directory()).isNotEqualTo(each.get(1).directory());
            }
        }
    }

    @Test
    @DisplayName("cipher passphrase rotated to a new repo: WAL with the same names and sizes but other bytes is "
            + "kept apart, and F1 (old passphrase) and F2 (new) each restore from the mirror")
    void cipherRotated() {
        try (PgBackRestFixture f = PgBackRestFixture.start("rot", (b, base) -> b.repo(
                PgBackRestRepo.posix(base.resolve("repo2")).cipher(PASS2).build()))) {
            f.pg.psql("postgres", "CREATE TABLE t (v text); INSERT INTO t SELECT md5(g::text) FROM "
                    + "generate_series(1, 2000) g;");
            BackupSet f1 = f.pgbr.backup(BackupType.FULL, 1);
            String atF1 = fingerprint(f.pg);
            f.pg.psql("postgres", "INSERT INTO t SELECT md5(g::text) FROM generate_series(1, 500) g;");
            BackupSet f2 = f.pgbr.backup(BackupType.FULL, 2);
            String atF2 = fingerprint(f.pg);
            LocalRepository target = LocalRepository.at(f.newDirectory("drive"));

            // repo1's PITR WAL for F1 runs past F2's start: the same segments repo2 holds, encrypted differently
            MirrorRun one = mirror("rot", f.pgbr, 1, target, only(f1)).wal(WalPolicy.PITR).build().mirror();
            assertThat(one.succeeded()).as(one.describe()).isTrue();
            PgBackRestMirror m = mirror("rot", f.pgbr, 2, target, only(f2)).wal(WalPolicy.PITR).build();
            MirrorRun two = m.mirror();
            assertThat(two.succeeded()).as(two.describe()).isTrue();

            MirroredSet s1 = m.holdings().get(0);
            MirroredSet s2 = m.holdings().get(1);
            Set<String> s1Wal = s1.wal().stream().map(MirroredFile::path).collect(Collectors.toSet());
            List<MirroredFile> collided = s2.wal().stream().filter(w -> s1Wal.contains(w.path())
                    && w.path().matches(".*/[0-9A-F]{24}-[0-9a-f]{40}\\.zst")).toList();
            assertThat(collided).as("F2's WAL segments also in F1's mirrored WAL").isNotEmpty();
            assertThat(collided).allSatisfy(w -> {
                assertThat(w.key()).startsWith("blobs/rot/");
                MirroredFile other = s1.wal().stream().filter(x -> x.path().equals(w.path())).findFirst()
                        .orElseThrow();
                assertThat(other.size()).isEqualTo(w.size());
                assertThat(other.sha256()).isNotEqualTo(w.sha256());
            });
            assertThat(s1.cipherFingerprint()).isNotEqualTo(s2.cipherFingerprint());

            assertThat(restore(f, m, f1, Secret.of("pgvault test passphrase: do not use"))).isEqualTo(atF1);
            assertThat(restore(f, m, f2, PASS2)).isEqualTo(atF2);
        }
    }

    @Test
    @DisplayName("PITR WAL keeps reaching the mirror after the source expired the mirrored set, the hole it left "
            + "is reported; a selected set expired before it was mirrored is reported as missed; a source that "
            + "loses half a set's files after selection gets nothing committed")
    void sourceExpiresFirst() {
        try (PgBackRestFixture f = PgBackRestFixture.start("gone", b -> b)) {
            f.pg.psql("postgres", "CREATE TABLE t (v text); INSERT INTO t VALUES ('a');");
            BackupSet fa = f.pgbr.backup(BackupType.FULL, 1);
            CountingRepository target = new CountingRepository(LocalRepository.at(f.newDirectory("drive")));
            PgBackRestMirror m = mirror("gone", f.pgbr, 1, target, only(fa)).wal(WalPolicy.PITR).build();
            assertThat(m.mirror().succeeded()).isTrue();
            String lastMirrored = segment(m.holdings().get(0).wal().get(m.holdings().get(0).wal().size() - 1));

            // WAL the mirror never sees: archived, then gone from the source before the next mirror run
            for (int i = 0; i < 2; i++) {
                f.pg.psql("postgres", "INSERT INTO t VALUES ('hole'); SELECT pg_switch_wal();");
            }
            f.pgbr.check();
            BackupSet fb = f.pgbr.backup(BackupType.FULL, 1);
            f.pgbr.expire(1, fa.id());
            String fbFirst = fb.attribute(PgBackRestBackup.WAL_START).orElseThrow();
            // pgBackRest keeps WAL back to the oldest set under pgvault's managed retention; a source with its own
            // archive retention removes it with the set: do what that expire does
            int removed = 0;
            try (Stream<Path> files = java.nio.file.Files.walk(f.base.resolve("repo1/archive/gone"))) {
                for (Path p : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                    String name = p.getFileName().toString();
                    if (name.matches("[0-9A-F]{24}-.*") && name.substring(0, 24).compareTo(lastMirrored) > 0
                            && name.substring(0, 24).compareTo(fbFirst) < 0) {
                        java.nio.file.Files.delete(p);
                        removed++;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(removed).as("segments between the mirrored WAL and fb's start").isPositive();
            assertThat(f.pgbr.list(1)).extracting(BackupSet::id).containsExactly(fb.id());
            f.pg.psql("postgres", "INSERT INTO t VALUES ('after'); SELECT pg_switch_wal();");
            f.pgbr.check();

            MirrorRun extended = m.mirror();
            assertThat(extended.succeeded()).as(extended.describe()).isTrue();
            assertThat(extended.walExtended()).as(extended.describe()).isPositive();
            MirroredSet held = m.holdings().get(0);
            String fbStart = fb.attribute(PgBackRestBackup.WAL_START).orElseThrow();
            assertThat(held.wal()).extracting(MirroredFile::path).anyMatch(p -> p.contains("/" + fbStart + "-"));
            assertThat(extended.warnings()).anyMatch(w -> w.contains(fa.id().value()) && w.contains("hole"));
            assertThat(m.coverageProblems()).anyMatch(w -> w.contains(fa.id().value()) && w.contains("hole"));

            // a set selected while the mirror cannot write, expired before the next run
            BackupSet fc = f.pgbr.backup(BackupType.FULL, 1);
            BackupSet fd = f.pgbr.backup(BackupType.FULL, 1);
            target.failWhen(k -> k.contains("/repo/backup/"));
            PgBackRestMirror mc = mirror("gone", f.pgbr, 1, target, only(fc)).build();
            assertThat(mc.mirror().succeeded()).isFalse();
            target.heal();
            f.pgbr.expire(1, fc.id());
            MirrorRun missed = mc.mirror();
            assertThat(missed.warnings()).anyMatch(w -> w.contains(fc.id().value()) && w.contains("expired it "
                    + "before it was mirrored"));
            assertThat(mc.coverageProblems()).anyMatch(w -> w.contains(fc.id().value()) && w.contains("expired"));
            assertThat(mc.mirror().warnings()).as("reported once at run time").noneMatch(w -> w.contains(fc.id()
                    .value()));

            // half of fd's files vanish between selection and copy
            SourceRepo posix = SourceRepo.posix(f.base.resolve("repo1"));
            SourceRepo losing = new HalfLost(posix, "backup/gone/" + fd.id().value());
            PgBackRestMirror lossy = PgBackRestMirror.builder("gone").source(f.pgbr, 1).source(losing)
                    .tier(Tier.builder("drive2", LocalRepository.at(f.newDirectory("drive2"))).filter(only(fd))
                            .build()).build();
            MirrorRun lost = lossy.mirror();
            assertThat(lost.succeeded()).isFalse();
            assertThat(lost.copies()).singleElement().satisfies(c -> assertThat(c.error().orElseThrow()
                    .getMessage()).contains("incomplete").contains(fd.id().value()));
            assertThat(lossy.holdings()).isEmpty();
            assertThat(f.pgbr.backups(OptionalInt.of(1))).extracting(PgBackRestBackup::label)
                    .contains(fd.id().value());
        }
    }

    private static String segment(MirroredFile f) {
        String name = f.path().substring(f.path().lastIndexOf('/') + 1);
        return name.substring(0, 24);
    }

    /** Lists every other data file of one set's directory, as if they were deleted after the set was selected. */
    private record HalfLost(SourceRepo inner, String setDir) implements SourceRepo {
        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public List<SourceFile> list(String directory, boolean recursive) {
            List<SourceFile> all = inner.list(directory, recursive);
            if (!directory.equals(setDir)) {
                return all;
            }
            List<SourceFile> kept = new ArrayList<>();
            int i = 0;
            for (SourceFile f : all) {
                if (!f.path().contains("/pg_data/") || i++ % 2 == 0) {
                    kept.add(f);
                }
            }
            return kept;
        }

        @Override
        public List<String> directories(String directory) {
            return inner.directories(directory);
        }

        @Override
        public Optional<SourceFile> stat(String path) {
            return inner.stat(path);
        }

        @Override
        public InputStream open(String path) {
            return inner.open(path);
        }
    }
}
