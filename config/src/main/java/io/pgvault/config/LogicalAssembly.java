package io.pgvault.config;

import io.pgvault.api.Compression;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.event.VaultListener;
import io.pgvault.api.retention.CalendarRetention;
import io.pgvault.api.retention.FullChainRetention;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.config.PgVaultSettings.Dump;
import io.pgvault.config.PgVaultSettings.PipelineSettings;
import io.pgvault.config.PgVaultSettings.RetentionSettings;
import io.pgvault.config.PgVaultSettings.TierSettings;
import io.pgvault.spi.Repository;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds the vault of logical backups; loaded only when {@code pgvault.dump} is set (pgvault-backend-pgdump). */
final class LogicalAssembly {
    private LogicalAssembly() {
    }

    static Optional<PgVault> vault(PgVaultSettings s, Clock clock, List<VaultListener> listeners,
            List<String> problems, List<AutoCloseable> opened) {
        if (!Modules.present("io.pgvault.backend.pgdump.PgDumpStrategy", "pgvault.dump", "pgvault-backend-pgdump",
                problems)) {
            return Optional.empty();
        }
        int before = problems.size();
        PgConnection connection = guarded(() -> VaultAssembly.connection(s.database().orElseThrow(),
                "pgvault.database"), problems);
        Repository primary = Repositories.open(s.repository().orElseThrow(), "pgvault.repository", problems);
        closeable(primary, opened);
        PipelineOptions pipeline = guarded(() -> pipeline(s.pipeline(), "pgvault.pipeline"), problems);
        List<Tier> tiers = new ArrayList<>();
        for (int i = 0; i < s.tiers().size(); i++) {
            TierSettings t = s.tiers().get(i);
            String at = "pgvault.tiers[" + i + "]";
            Repository repo = Repositories.open(t.repository(), at + ".repository", problems);
            closeable(repo, opened);
            PipelineOptions tierPipeline = t.pipeline().map(p -> guarded(() -> pipeline(p, at + ".pipeline"),
                    problems)).orElse(null);
            if (repo == null) {
                continue;
            }
            Tier.Builder b = Tier.builder(t.name(), repo).filter(filter(t.filter(), t.zone())).required(t.required());
            t.retention().map(LogicalAssembly::policy).ifPresent(b::retention);
            t.maxCopyWait().ifPresent(b::maxCopyWait);
            if (tierPipeline != null) {
                b.pipeline(tierPipeline);
            }
            tiers.add(guarded(b::build, problems, at));
        }
        if (problems.size() > before || connection == null || primary == null || pipeline == null) {
            return Optional.empty();
        }
        PgDumpStrategy strategy = guarded(() -> new PgDumpStrategy(dump(s.dump().orElseThrow(), connection)),
                problems, "pgvault.dump");
        if (strategy == null) {
            return Optional.empty();
        }
        PgVault.Builder b = PgVault.builder().strategy(strategy).repository(primary).pipeline(pipeline).clock(clock)
                .acceptUnauthenticated(s.acceptUnauthenticated());
        s.scratchDirectory().ifPresent(b::scratchDirectory);
        s.debrisGrace().ifPresent(b::debrisGrace);
        tiers.forEach(b::tier);
        listeners.forEach(b::listener);
        return Optional.ofNullable(guarded(b::build, problems, "pgvault"));
    }

    private static void closeable(Repository repository, List<AutoCloseable> opened) {
        if (repository instanceof AutoCloseable c) {
            opened.add(c);
        }
    }

    private static PgDumpConfig dump(Dump d, PgConnection connection) {
        PgDumpConfig.Builder b = PgDumpConfig.builder().connection(connection)
                .format(DumpFormat.valueOf(d.format().name())).jobs(d.jobs()).allDatabases(d.allDatabases())
                .includeGlobals(d.includeGlobals()).noOwner(d.noOwner()).noPrivileges(d.noPrivileges())
                .schemaOnly(d.schemaOnly()).toolTimeout(d.toolTimeout()).rowCounts(d.rowCounts());
        if (!d.databases().isEmpty()) {
            b.databases(d.databases());
        }
        d.includeSchemas().forEach(b::includeSchema);
        d.excludeSchemas().forEach(b::excludeSchema);
        d.includeTables().forEach(b::includeTable);
        d.excludeTables().forEach(b::excludeTable);
        return b.build();
    }

    static PipelineOptions pipeline(PipelineSettings p, String at) {
        Compression compression = switch (p.compression()) {
            case NONE -> Compression.none();
            case GZIP -> new Compression(Compression.Algorithm.GZIP, p.level().orElse(6), 0);
            case ZSTD -> Compression.zstd(p.level().orElse(3), Compression.defaultWorkers());
        };
        PipelineOptions options = PipelineOptions.defaults().withCompression(compression);
        if (p.passphrase().isPresent()) {
            Encryption.Passphrase e = Encryption.passphrase(p.passphrase().get().resolve(at + ".passphrase"));
            options = options.withEncryption(p.workFactor().map(e::withWorkFactor).orElse(e));
        } else if (p.identity().isPresent()) {
            options = options.withEncryption(Encryption.x25519(identity(p.identity().get().resolve(at + ".identity"),
                    at + ".identity")));
        }
        if (p.integrityKey().isPresent()) {
            options = options.withIntegrityKey(p.integrityKey().get().resolve(at + ".integrity-key"));
        }
        return options;
    }

    /**
     * An identity as age-keygen (and {@code pgvault keys generate}) writes it: {@code #} comment lines (created,
     * public key) and one {@code AGE-SECRET-KEY-1...} line.
     */
    static io.pgvault.api.Secret identity(io.pgvault.api.Secret file, String at) {
        List<String> lines = file.reveal().lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (lines.size() != 1) {
            throw new ConfigurationException(at + " must hold one age identity (an AGE-SECRET-KEY-1... line, comment "
                    + "lines allowed); it holds " + lines.size() + " other lines");
        }
        return io.pgvault.api.Secret.of(lines.get(0));
    }

    /** @return the tier filter a setting names (month and week in {@code zone}) */
    static TierFilter filter(PgVaultSettings.TierFilterKind kind, java.time.ZoneId zone) {
        return switch (kind) {
            case ALL -> TierFilter.all();
            case FULLS_ONLY -> TierFilter.fullsOnly();
            case LAST_OF_MONTH -> TierFilter.lastOfMonth(zone);
            case LAST_OF_WEEK -> TierFilter.lastOfWeek(zone);
        };
    }

    /** @return the union of the rules set */
    static RetentionPolicy policy(RetentionSettings r) {
        List<RetentionPolicy> rules = new ArrayList<>();
        r.keepLast().map(RetentionPolicy::keepLast).ifPresent(rules::add);
        r.keepWithin().map(RetentionPolicy::keepWithin).ifPresent(rules::add);
        if (r.hourly() + r.daily() + r.weekly() + r.monthly() + r.yearly() > 0) {
            CalendarRetention.Builder c = RetentionPolicy.calendar().zone(r.zone());
            c.hourly(r.hourly()).daily(r.daily()).weekly(r.weekly()).monthly(r.monthly()).yearly(r.yearly());
            rules.add(c.build());
        }
        r.fulls().ifPresent(f -> {
            FullChainRetention.Builder b = RetentionPolicy.fulls(f);
            r.diffs().ifPresent(b::diffs);
            rules.add(b.build());
        });
        return rules.size() == 1 ? rules.get(0) : RetentionPolicy.anyOf(rules.toArray(RetentionPolicy[]::new));
    }

    static <T> T guarded(java.util.function.Supplier<T> build, List<String> problems) {
        return guarded(build, problems, null);
    }

    /** Runs a builder, turning what it refuses into problems (prefixed with the property path when given). */
    static <T> T guarded(java.util.function.Supplier<T> build, List<String> problems, String at) {
        try {
            return build.get();
        } catch (ConfigurationException e) {
            e.problems().forEach(p -> problems.add(at == null ? p : at + ": " + p));
        } catch (io.pgvault.api.PgVaultException e) {
            // a store that cannot be reached at start-up (S3 checks its bucket) is one problem among the others;
            // when it is the only kind, the build fails as unavailable rather than misconfigured (VaultAssembly)
            problems.add((at == null ? "" : at + ": ") + VaultAssembly.UNAVAILABLE + e.getMessage());
        } catch (RuntimeException e) {
            problems.add((at == null ? "" : at + ": ") + e.getMessage());
        }
        return null;
    }
}
