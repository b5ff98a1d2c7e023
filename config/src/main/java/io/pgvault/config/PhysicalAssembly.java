package io.pgvault.config;

import io.pgvault.api.BackupType;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.mirror.MirrorRun;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import io.pgvault.backend.pgbackrest.mirror.WalPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.config.PgVaultSettings.PgBackRestRepoSettings;
import io.pgvault.config.PgVaultSettings.PgBackRestSettings;
import io.pgvault.operations.drill.DrillBuilder;
import io.pgvault.operations.drill.PhysicalDrill;
import io.pgvault.operations.drill.RestoreDrill;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.spi.process.Launcher;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Builds the pgBackRest facade; loaded only when {@code pgvault.pgbackrest} is set (pgvault-backend-pgbackrest). */
final class PhysicalAssembly {
    private final PgBackRest pgbr;
    private final String stanza;
    private PgBackRestMirror mirror;

    private PhysicalAssembly(PgBackRest pgbr, String stanza) {
        this.pgbr = pgbr;
        this.stanza = stanza;
    }

    /** Builds the mirror of {@code pgvault.pgbackrest.mirror}, opening its repository. */
    void mirror(PgBackRestSettings s, Clock clock, List<String> problems, List<AutoCloseable> opened) {
        if (s.mirror().isEmpty()) {
            return;
        }
        PgVaultSettings.MirrorSettings m = s.mirror().get();
        io.pgvault.spi.Repository repo = Repositories.open(m.repository(), "pgvault.pgbackrest.mirror.repository",
                problems);
        if (repo instanceof AutoCloseable c) {
            opened.add(c);
        }
        if (repo == null) {
            return;
        }
        mirror = LogicalAssembly.guarded(() -> {
            TierFilter filter = LogicalAssembly.filter(m.filter(), m.zone());
            boolean calendar = m.filter() == PgVaultSettings.TierFilterKind.LAST_OF_MONTH
                    || m.filter() == PgVaultSettings.TierFilterKind.LAST_OF_WEEK;
            // a month's or week's last set of a mirror is its last full: the diffs after it would bring it anyway
            Tier.Builder tier = Tier.builder(m.name(), repo)
                    .filter(calendar ? TierFilter.fullsOnly().then(filter) : filter);
            m.retention().map(LogicalAssembly::policy).ifPresent(tier::retention);
            PgBackRestMirror.Builder b = PgBackRestMirror.builder(s.stanza()).source(pgbr, m.sourceRepo())
                    .tier(tier.build()).wal(WalPolicy.valueOf(m.wal().name())).prefix(m.prefix()).clock(clock);
            s.runAs().ifPresent(b::localOwner);
            return b.build();
        }, problems, "pgvault.pgbackrest.mirror");
    }

    Optional<PgBackRestMirror> mirror() {
        return Optional.ofNullable(mirror);
    }

    /** Copies what the mirror lacks, then applies its retention. */
    void runMirror() {
        MirrorRun run = mirror.mirror();
        if (mirror.tier().retention().isPresent()) {
            mirror.prune(PruneMode.EXECUTE);
        }
        if (!run.succeeded()) {
            throw new IllegalStateException(run.describe());
        }
    }

    static Optional<PhysicalAssembly> of(PgBackRestSettings s, Clock clock, List<String> problems) {
        if (!Modules.present("io.pgvault.backend.pgbackrest.PgBackRest", "pgvault.pgbackrest",
                "pgvault-backend-pgbackrest", problems)) {
            return Optional.empty();
        }
        return Optional.ofNullable(LogicalAssembly.guarded(() -> {
            PgCluster.Builder cluster = PgCluster.builder(s.dataDirectory()).port(s.port());
            s.socketDirectory().ifPresent(cluster::socketDirectory);
            s.binDir().ifPresent(cluster::binDir);
            PgBackRestConfig.Builder b = PgBackRestConfig.builder(s.stanza()).cluster(cluster.build())
                    .configFile(s.configFile()).processMax(s.processMax());
            s.workDirectory().ifPresent(b::workDirectory);
            s.executable().ifPresent(b::executable);
            s.archiveTimeout().ifPresent(b::archiveTimeout);
            s.runAs().ifPresent(user -> b.launcher(Launcher.asUser(user)));
            for (int i = 0; i < s.repos().size(); i++) {
                b.repo(repo(s.repos().get(i), "pgvault.pgbackrest.repos[" + i + "]"));
            }
            return new PhysicalAssembly(PgBackRest.of(b.build()).withClock(clock), s.stanza());
        }, problems, "pgvault.pgbackrest"));
    }

    private static PgBackRestRepo repo(PgBackRestRepoSettings r, String at) {
        PgBackRestRepo.Builder b = r.path().isPresent() ? PgBackRestRepo.posix(r.path().get())
                : PgBackRestRepo.s3(S3Repositories.config(r.s3().orElseThrow(), at + ".s3"));
        r.cipher().ifPresent(c -> b.cipher(c.resolve(at + ".cipher")));
        return b.build();
    }

    PgBackRest pgBackRest() {
        return pgbr;
    }

    /**
     * One backup per repo (pgBackRest writes one repo per backup), each followed by the retention when one is set:
     * {@code expire --set} for what the plan removes. A repo that fails does not stop the others; the first failure
     * is thrown once all were tried.
     */
    void backup(String type, Optional<RetentionPolicy> retention) {
        RuntimeException first = null;
        for (PgBackRestRepo repo : pgbr.config().repos()) {
            try {
                pgbr.backup(BackupType.valueOf(type), repo);
                retention.ifPresent(policy -> pgbr.applyRetention(policy, repo, PruneMode.EXECUTE));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Health watches every repo: a repo that stopped receiving backups ages on its own; and the mirror. */
    void watch(BackupHealth health) {
        if (mirror != null) {
            health.watchMirror(mirror);
        }
        for (PgBackRestRepo repo : pgbr.config().repos()) {
            health.watch("pgbackrest:" + stanza + "/repo" + repo.index(), () -> pgbr.list(repo));
        }
    }

    /** @return a drill of the stanza's sets, with the settings every drill kind has applied by {@code common} */
    RestoreDrill drill(java.util.function.Consumer<DrillBuilder<?>> common) {
        PhysicalDrill.Builder b = PhysicalDrill.builder().pgBackRest(pgbr);
        common.accept(b);
        return b.build();
    }
}
