package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.retention.Keep;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Placement;
import io.pgvault.api.tier.PlacementReport;
import io.pgvault.api.tier.SetCopy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.spi.ObjectKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Mirrors chosen backup sets of a pgBackRest repository to a {@link Tier} pgBackRest cannot write itself (Google
 * Drive, any pgvault {@link io.pgvault.spi.Repository}), and restores from it by materializing a local posix
 * repository.
 *
 * <pre>{@code
 * PgBackRestMirror mirror = PgBackRestMirror.builder("main")
 *         .source(pgbr, 1)                                  // the posix repo pgvault configured
 *         .tier(Tier.builder("drive", driveRepository)
 *                 .filter(TierFilter.fullsOnly().then(TierFilter.lastOfMonth(ZoneId.of("Europe/Berlin"))))
 *                 .retention(RetentionPolicy.keepLast(12)).build())
 *         .build();
 * MirrorRun run = mirror.mirror();                          // only new files move; resumes an interrupted run
 * mirror.prune(PruneMode.EXECUTE);                          // the tier's retention, and WAL no kept set needs
 *
 * // disaster: only the mirror is left
 * MaterializedRepo local = mirror.materialize(Path.of("/srv/restore-repo"), List.of(BackupId.of("20261130-230000F")));
 * PgBackRest restoreTool = PgBackRest.of(configWithPosixRepoAt(local.directory()));  // same stanza and cipher pass
 * local.forgetAbsentSets(restoreTool, 1);
 * restoreTool.restore(PhysicalRestoreRequest.builder().dataDirectory(newDir).startOnPort(6543).build());
 * }</pre>
 *
 * <p>What a mirrored set consists of: its own directory ({@code backup/<stanza>/<label>/}), its history manifest, the
 * sets it references (a DIFF/INCR brings its full), the archived WAL chosen by the {@link WalPolicy}, and
 * pgBackRest's info files ({@code backup.info}, {@code archive.info} and their copies), all copied byte for byte under
 * {@code <prefix>/repo/} so the mirror's tree is a pgBackRest repository. An encrypted repository stays encrypted: its
 * {@code repoN-cipher-pass} is needed to restore. A small JSON record per set ({@code <prefix>/sets/<stanza>/
 * <label>.json}, with the size and SHA-256 of every file) is written last, after every file it lists is durable: a set
 * is on the mirror only once it is complete, and an interrupted run resumes, keeping verified files.
 *
 * <p>One runner at a time per mirror (use the operations module's single-runner guard); {@link #prune} keeps files
 * no record lists for {@link Builder#debrisGrace(Duration)} so it never removes what a running mirror just sent.
 *
 * @since 0.2.0
 */
public final class PgBackRestMirror {
    private static final Logger LOG = LoggerFactory.getLogger(PgBackRestMirror.class);
    /** How long a missed set stays in {@link #coverageProblems()}. */
    private static final int MISSED_DAYS = 35;
    private static final Duration MISSED_REPORTED = Duration.ofDays(MISSED_DAYS);

    private final String stanza;
    private final PgBackRest pgbr;
    private final int repo;
    private final SourceRepo source;
    private final Tier tier;
    private final WalPolicy walPolicy;
    private final Clock clock;
    private final Optional<String> localOwner;
    private final Duration debrisGrace;
    private final TargetStore store;

    private PgBackRestMirror(Builder b) {
        this.stanza = b.stanza;
        this.pgbr = b.pgbr;
        this.repo = b.repo;
        this.source = b.source != null ? b.source : b.pgbr == null ? null : defaultSource(b.pgbr, b.repo);
        this.tier = b.tier;
        this.walPolicy = b.walPolicy;
        this.clock = b.clock;
        this.localOwner = Optional.ofNullable(b.localOwner);
        this.debrisGrace = b.debrisGrace;
        this.store = new TargetStore(b.tier.repository(), b.prefix, b.stanza);
    }

    private static SourceRepo defaultSource(PgBackRest pgbr, int repo) {
        PgBackRestRepo r = pgbr.config().repo(repo);
        return SourceRepo.posix(Path.of(r.path()));
    }

    /**
     * @param stanza the pgBackRest stanza
     * @return a builder: give it a {@link Builder#tier} (and a {@link Builder#source} to mirror)
     * @since 0.2.0
     */
    public static Builder builder(String stanza) {
        return new Builder(stanza);
    }

    /** @return the stanza @since 0.2.0 */
    public String stanza() {
        return stanza;
    }

    /** @return the tier the mirror writes to @since 0.2.0 */
    public Tier tier() {
        return tier;
    }

    /**
     * Copies every set the tier's filter selects (and its retention would keep) that the mirror does not hold yet,
     * oldest first, with the sets it references and its WAL; with {@link WalPolicy#PITR} also adds newly archived
     * WAL to mirrored sets. Files already on the mirror are not sent again. Stops at the first set that fails (the
     * failure is in the result, never thrown; nothing is listed for that set); the next run resumes it.
     *
     * @return what moved
     * @throws ConfigurationException when the mirror has no source
     * @since 0.2.0
     */
    public MirrorRun mirror() {
        requireSource("mirror");
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        Selection sel;
        try {
            sel = select(now);
        } catch (PgVaultException e) {
            LOG.warn("mirror {} of stanza {}: cannot list: {}", tier.name(), stanza, e.getMessage());
            return new MirrorRun(tier.name(), List.of(), 0, 0, 0, 0, 0, since(t0),
                    Optional.of(e.getMessage()));
        }
        MirrorPass pass = new MirrorPass(sel);
        List<SetCopy> copies = new ArrayList<>();
        for (PgBackRestBackup b : sel.missing()) {
            long s0 = System.nanoTime();
            MirrorPass.Counts before = pass.counts();
            try {
                MirroredSet m = pass.copySet(b);
                MirrorPass.Counts d = pass.counts().minus(before);
                copies.add(new SetCopy(tier.name(), b.id(), Optional.of(m.toBackupSet(store.prefix)), d.sent(),
                        d.resumed() + d.shared(), d.bytes(), since(s0), Optional.empty()));
                LOG.info("mirror {}: committed {} ({} files, {} bytes sent)", tier.name(), b.label(), d.sent(),
                        d.bytes());
            } catch (RuntimeException e) {
                PgVaultException error = e instanceof PgVaultException p ? p : new PgVaultException(
                        ErrorCode.REPOSITORY, "mirroring set " + b.label() + " to " + tier.name() + " failed: " + e, e);
                MirrorPass.Counts d = pass.counts().minus(before);
                copies.add(new SetCopy(tier.name(), b.id(), Optional.empty(), d.sent(), d.resumed() + d.shared(),
                        d.bytes(), since(s0), Optional.of(error)));
                LOG.warn("mirror {}: set {} failed, the next run resumes it: {}", tier.name(), b.label(),
                        error.getMessage());
                break;
            }
        }
        Optional<String> problem = Optional.empty();
        if (walPolicy == WalPolicy.PITR && copies.stream().allMatch(SetCopy::succeeded)) {
            try {
                pass.extendPitr();
            } catch (RuntimeException e) {
                problem = Optional.of("adding newly archived WAL to mirrored sets failed: " + e.getMessage());
            }
        }
        List<String> warnings = new ArrayList<>(pass.warnings);
        try {
            warnings.addAll(missed(sel));
        } catch (RuntimeException e) {
            warnings.add("cannot read or write the mirror's list of pending sets: " + e.getMessage());
        }
        warnings.forEach(w -> LOG.warn("mirror {} of stanza {}: {}", tier.name(), stanza, w));
        MirrorPass.Counts c = pass.counts();
        return new MirrorRun(tier.name(), copies, c.sent(), c.resumed(), c.shared(), c.bytes(), c.walExtended(),
                since(t0), problem, warnings);
    }

    /**
     * Sets the tier selected on an earlier run and the mirror never got, which the source no longer holds: they are
     * lost to the mirror (the source expired them first, e.g. a month-end full under a four-full retention while the
     * mirror was down). Remembers what is still pending for the next run.
     */
    private List<String> missed(Selection sel) {
        Set<String> inSource = new TreeSet<>();
        sel.all().forEach(b -> inSource.add(b.label()));
        ManifestCodec.Pending before = store.pending();
        Instant now = clock.instant();
        Map<String, Instant> missed = new java.util.TreeMap<>();
        before.missed().forEach((label, at) -> {
            if (at.isAfter(now.minus(MISSED_REPORTED))) {
                missed.put(label, at);
            }
        });
        List<String> out = new ArrayList<>();
        for (String label : before.labels()) {
            if (!sel.held().containsKey(label) && !inSource.contains(label)) {
                missed.put(label, now);
                out.add("set " + label + " was selected for this mirror but the source expired it before it was "
                        + "mirrored: the mirror will never hold it");
            }
        }
        List<String> pending = sel.wanted().stream().map(PgBackRestBackup::label)
                .filter(l -> !sel.held().containsKey(l)).sorted().toList();
        ManifestCodec.Pending after = new ManifestCodec.Pending(pending, missed);
        if (!after.equals(before)) {
            store.put(after);
        }
        return out;
    }

    /**
     * What the mirror's coverage lacks, from its records alone (no source needed): holes in the WAL of its PITR sets
     * (segments the source expired before the mirror copied them; point-in-time recovery from such a set stops at the
     * hole), and sets the tier selected that the source expired before they were mirrored (reported for
     * {@value #MISSED_DAYS} days). Health checks call it; {@link MirrorRun#warnings()} says the same at run time.
     *
     * @return one line per problem; empty when the mirror's coverage is whole
     * @since 0.2.0
     */
    public List<String> coverageProblems() {
        List<String> out = new ArrayList<>();
        for (MirroredSet m : store.sets()) {
            if (m.walPolicy() == WalPolicy.PITR) {
                SourceLayout.gaps(m.wal().stream().map(MirroredFile::path).toList())
                        .forEach(g -> out.add("set " + m.label() + ": its mirrored WAL has a hole, " + g));
            }
        }
        Instant since = clock.instant().minus(MISSED_REPORTED);
        store.pending().missed().forEach((label, at) -> {
            if (at.isAfter(since)) {
                out.add("set " + label + " was expired by the source before it was mirrored (found " + at + ")");
            }
        });
        return out;
    }

    /**
     * Applies the tier's retention to the mirrored sets (without one, keeps every set): removes the records of the
     * sets the plan deletes, then every file no kept set needs (their own files and WAL), and files no record lists
     * that are older than the debris grace period (left by runs that never finished).
     *
     * @param mode dry run or execute
     * @return what was (or would be) removed; {@link PruneReport#debris()} lists the object keys
     * @since 0.2.0
     */
    public PruneReport prune(PruneMode mode) {
        Objects.requireNonNull(mode, "mode");
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        List<MirroredSet> held = store.sets();
        Map<BackupId, MirroredSet> byId = new LinkedHashMap<>();
        held.forEach(s -> byId.put(s.id(), s));
        var plan = retention().plan(held.stream().map(s -> s.toBackupSet(store.prefix)).toList(), now);
        List<BackupSet> removed = new ArrayList<>();
        Set<String> referenced = new TreeSet<>();
        Set<String> doomedKeys = new TreeSet<>();
        plan.kept().forEach(d -> byId.get(d.id()).allFiles().forEach(f -> referenced.add(store.objectKey(f))));
        store.info().ifPresent(i -> i.files().forEach(f -> referenced.add(store.objectKey(f))));
        List<BackupSet> deleted = new ArrayList<>(plan.deleted().stream().map(d -> d.set()).toList());
        deleted.sort(Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id).reversed());
        for (BackupSet s : deleted) {
            byId.get(s.id()).allFiles().forEach(f -> doomedKeys.add(store.objectKey(f)));
            if (mode == PruneMode.EXECUTE) {
                store.deleteSet(s.id().value());
            }
            removed.add(s);
        }
        List<String> debris = new ArrayList<>();
        Instant graceLimit = now.minus(debrisGrace);
        for (String area : store.fileAreas()) {
            for (var o : store.repository.list(area)) {
                if (referenced.contains(o.key())) {
                    continue;
                }
                if (doomedKeys.contains(o.key()) || o.lastModified().isBefore(graceLimit)) {
                    debris.add(o.key());
                    if (mode == PruneMode.EXECUTE) {
                        store.repository.delete(o.key());
                    }
                }
            }
        }
        PruneReport report = new PruneReport(mode, plan, removed, List.of(), debris, since(t0));
        LOG.info("mirror {}: {}", tier.name(), report.render());
        return report;
    }

    private RetentionPolicy retention() {
        return tier.retention().orElse(new RetentionPolicy() {
            @Override
            public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
                return candidates.stream().map(s -> new Keep(s.id(), "the tier has no retention")).toList();
            }

            @Override
            public String describe() {
                return "no retention (keep every set)";
            }
        });
    }

    /**
     * @return the sets the mirror holds, oldest first, with their files, sizes and verification times
     * @since 0.2.0
     */
    public List<MirroredSet> holdings() {
        return store.sets();
    }

    /**
     * What exists where: every set in the source repo or on the mirror, with the size in each location, when the
     * mirror's copy was verified, and which selected sets the mirror still lacks.
     *
     * @return the report; locations are {@code primary} (the source repo) and the tier's name
     * @since 0.2.0
     */
    public PlacementReport placement() {
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        Map<String, MirroredSet> held = new LinkedHashMap<>();
        store.sets().forEach(s -> held.put(s.label(), s));
        Map<String, Placement> out = new LinkedHashMap<>();
        if (source != null) {
            try {
                Selection sel = select(now);
                String enc = sourceEncryption();
                for (PgBackRestBackup b : sel.all()) {
                    Map<String, Placement.Copy> copies = new LinkedHashMap<>();
                    copies.put(Placement.PRIMARY, new Placement.Copy(b.repoSize(), enc, Optional.empty()));
                    MirroredSet m = held.get(b.label());
                    if (m != null) {
                        copies.put(tier.name(), copy(m));
                    }
                    boolean missing = m == null && sel.wanted().stream().anyMatch(w -> w.label().equals(b.label()));
                    out.put(b.label(), new Placement(b.id(), b.type(), stanza, b.startedAt(), copies,
                            missing ? List.of(tier.name()) : List.of()));
                }
            } catch (PgVaultException e) {
                problems.add(Placement.PRIMARY + ": " + e.getMessage());
            }
        }
        for (MirroredSet m : held.values()) {
            out.computeIfAbsent(m.label(), l -> new Placement(m.id(), m.type(), stanza, m.startedAt(),
                    Map.of(tier.name(), copy(m)), List.of()));
        }
        List<Placement> sets = new ArrayList<>(out.values());
        sets.sort(Comparator.comparing(Placement::startedAt).thenComparing(Placement::id));
        return new PlacementReport(now, List.of(Placement.PRIMARY, tier.name()), sets, problems);
    }

    private static Placement.Copy copy(MirroredSet m) {
        return new Placement.Copy(m.bytes(), "none".equals(m.cipher()) ? "none" : "pgbackrest-" + m.cipher(),
                m.verifiedAt());
    }

    private String sourceEncryption() {
        return pgbr != null && pgbr.config().repo(repo).cipherPass().isPresent() ? "pgbackrest-aes-256-cbc" : "none";
    }

    /**
     * Reads every mirrored file back (each distinct file once) and compares size and SHA-256 with its record; sets
     * whose files all match get {@code verifiedAt} recorded.
     *
     * @return what matched and what did not
     * @since 0.2.0
     */
    public MirrorVerifyResult verify() {
        Instant now = clock.instant();
        FileCopier copier = new FileCopier(source, store);
        Map<String, Optional<String>> checked = new LinkedHashMap<>();
        long[] bytes = {0};
        List<BackupId> intact = new ArrayList<>();
        List<BackupId> damaged = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (MirroredSet s : store.sets()) {
            boolean ok = true;
            for (MirroredFile f : s.allFiles()) {
                Optional<String> p = checked.computeIfAbsent(store.objectKey(f), k -> {
                    bytes[0] += f.size();
                    return copier.check(f);
                });
                if (p.isPresent()) {
                    ok = false;
                    if (!problems.contains(p.get())) {
                        problems.add(p.get());
                    }
                }
            }
            if (ok) {
                // re-read: a prune may have removed the set, or a mirror run added WAL, while its files were read
                Optional<MirroredSet> current = store.set(s.label());
                if (current.isPresent() && current.get().withVerifiedAt(now).equals(s.withVerifiedAt(now))) {
                    store.put(s.withVerifiedAt(now));
                }
                intact.add(s.id());
            } else {
                damaged.add(s.id());
            }
        }
        store.info().ifPresent(i -> i.files().forEach(f -> checked.computeIfAbsent(store.objectKey(f),
                k -> copier.check(f)).ifPresent(p -> {
                    if (!problems.contains(p)) {
                        problems.add(p);
                    }
                })));
        return new MirrorVerifyResult(now, intact, damaged, checked.size(), bytes[0], problems);
    }

    /**
     * Downloads sets from the mirror into a local posix pgBackRest repository: the sets asked for, the sets they
     * reference, their WAL and the info files, each file's size and SHA-256 checked against its record before it is
     * moved into place (a repeated call skips files already present with the right digest). Files are 0640 and
     * directories 0750, owned by {@link Builder#localOwner(String)} when set. Then run
     * {@link MaterializedRepo#forgetAbsentSets} and restore with a {@link PgBackRest} whose posix repo is
     * {@code directory}.
     *
     * @param directory the local repository's root; created when missing
     * @param sets      the sets to materialize; empty for every set the mirror holds
     * @return the local repository
     * @throws io.pgvault.api.NotFoundException  when the mirror does not hold a set asked for
     * @throws io.pgvault.api.IntegrityException when a file read from the mirror does not match its record (nothing
     *                                           mismatching is left in {@code directory})
     * @since 0.2.0
     */
    public MaterializedRepo materialize(Path directory, Collection<BackupId> sets) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(sets, "sets");
        return new Materializer(store, localOwner).materialize(directory, sets);
    }

    /**
     * Like {@link #materialize}, one local repository per incarnation of the stanza: sets taken of another cluster
     * (the stanza created again) or mirrored from a repo with another cipher passphrase cannot share one pgBackRest
     * repository, so each group goes to a directory of its own under {@code parent}, named by its system identifier
     * (and cipher fingerprint), or {@code legacy} for sets mirrored before 0.2.0. Restore from each with its own
     * configuration and passphrase.
     *
     * @param parent the directory the repositories are created in
     * @param sets   the sets to materialize; empty for every set the mirror holds
     * @return one repository per incarnation, oldest sets first
     * @since 0.2.0
     */
    public List<MaterializedRepo> materializeEach(Path parent, Collection<BackupId> sets) {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(sets, "sets");
        Map<String, List<BackupId>> groups = new LinkedHashMap<>();
        Map<String, MirroredSet> held = new LinkedHashMap<>();
        store.sets().forEach(m -> held.put(m.label(), m));
        List<BackupId> asked = sets.isEmpty() ? held.values().stream().map(MirroredSet::id).toList()
                : List.copyOf(sets);
        for (BackupId id : asked) {
            MirroredSet m = held.get(id.value());
            if (m == null) {
                throw new io.pgvault.api.NotFoundException("the mirror in " + store.repository.id()
                        + " holds no set " + id + " of stanza " + stanza);
            }
            groups.computeIfAbsent(m.incarnation(), k -> new ArrayList<>()).add(id);
        }
        List<MaterializedRepo> out = new ArrayList<>();
        Materializer materializer = new Materializer(store, localOwner);
        groups.forEach((incarnation, ids) -> out.add(materializer.materialize(
                parent.resolve(incarnation.replace('/', '-')), ids)));
        return out;
    }

    private void requireSource(String what) {
        if (source == null || pgbr == null) {
            throw new ConfigurationException("mirror of stanza " + stanza + " has no source: " + what
                    + " needs builder.source(pgbackrest, repo)");
        }
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    // ---- selection ------------------------------------------------------------------------------------------

    /** The source's sets, those the mirror should hold and does not, and what it holds. */
    record Selection(List<PgBackRestBackup> all, List<PgBackRestBackup> wanted, List<PgBackRestBackup> missing,
            Map<String, MirroredSet> held) {
    }

    private Selection select(Instant now) {
        List<PgBackRestBackup> all = pgbr.backups(pgbr.config().repo(repo));
        Set<String> needed = selected(all, stanza, tier.filter(), now);
        Map<String, MirroredSet> held = new LinkedHashMap<>();
        store.sets().forEach(m -> held.put(m.label(), m));
        List<PgBackRestBackup> wanted = all.stream().filter(b -> needed.contains(b.label())).toList();
        if (tier.retention().isPresent()) {
            Map<BackupId, BackupSet> union = new LinkedHashMap<>();
            held.values().forEach(m -> union.put(m.id(), m.toBackupSet(store.prefix)));
            wanted.forEach(b -> union.putIfAbsent(b.id(), b.toBackupSet(stanza)));
            Set<BackupId> kept = new TreeSet<>();
            tier.retention().get().plan(union.values(), now).kept().forEach(d -> kept.add(d.id()));
            wanted = wanted.stream().filter(b -> kept.contains(b.id())).toList();
        }
        List<PgBackRestBackup> missing = wanted.stream().filter(b -> !held.containsKey(b.label())).toList();
        return new Selection(all, wanted, missing, held);
    }

    /**
     * @return the labels the filter selects among the COMPLETE sets, with every set they reference or depend on
     */
    static Set<String> selected(List<PgBackRestBackup> all, String stanza, TierFilter filter, Instant now) {
        Map<String, PgBackRestBackup> byLabel = new LinkedHashMap<>();
        all.forEach(b -> byLabel.put(b.label(), b));
        List<BackupSet> complete = all.stream().map(b -> b.toBackupSet(stanza))
                .filter(s -> s.status() == BackupStatus.COMPLETE)
                .sorted(Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id)).toList();
        Set<String> needed = new TreeSet<>();
        for (BackupSet s : filter.select(complete, now)) {
            addWithBases(byLabel.get(s.id().value()), byLabel, needed);
        }
        return needed;
    }

    private static void addWithBases(PgBackRestBackup b, Map<String, PgBackRestBackup> byLabel, Set<String> out) {
        while (b != null && out.add(b.label())) {
            for (String ref : b.reference()) {
                addWithBases(byLabel.get(ref), byLabel, out);
            }
            b = b.prior().map(byLabel::get).orElse(null);
        }
    }

    // ---- one run ----------------------------------------------------------------------------------------------

    /** The state of one mirror run: what is committed, counters, and the copier. */
    private final class MirrorPass {
        record Counts(int sent, int resumed, int shared, long bytes, int walExtended) {
            Counts minus(Counts o) {
                return new Counts(sent - o.sent, resumed - o.resumed, shared - o.shared, bytes - o.bytes,
                        walExtended - o.walExtended);
            }
        }

        private final Selection sel;
        private final SourceLayout layout = new SourceLayout(source, stanza);
        private final FileCopier copier = new FileCopier(source, store);
        private final String cipher = "none".equals(sourceEncryption()) ? "none" : "aes-256-cbc";
        private final List<String> warnings = new ArrayList<>();
        /** The source's sub-passphrase and its fingerprint, read from its backup.info once per run. */
        private Optional<String> subPass;
        private Optional<String> fingerprint;
        private int sent;
        private int resumed;
        private int shared;
        private long bytes;
        private int walExtended;

        MirrorPass(Selection sel) {
            this.sel = sel;
            sel.held().values().forEach(s -> copier.committed(s.allFiles()));
            store.info().ifPresent(r -> copier.committed(r.files()));
        }

        Counts counts() {
            return new Counts(sent, resumed, shared, bytes, walExtended);
        }

        /**
         * Copies one set: its info files first (a snapshot of their own), then its directory, checked against its
         * manifest, then its WAL; commits it only when {@code info} still lists it afterwards.
         */
        MirroredSet copySet(PgBackRestBackup b) {
            String archiveId = layout.archiveId(b);
            List<MirroredFile> info = snapshotInfo();
            List<MirroredFile> files = copyAll(layout.setFiles(b.label()));
            checkComplete(b, files);
            String start = SourceLayout.walStart(b);
            List<MirroredFile> wal = copyAll(layout.wal(start, b.walStop().orElse(start), archiveId, walPolicy,
                    nextStart(b.startedAt(), b.label())));
            String stop = b.walStop().orElse(start);
            SourceLayout.missingForConsistency(wal.stream().map(MirroredFile::path).toList(), start, stop)
                    .ifPresent(why -> {
                        throw new IntegrityException("set " + b.label() + " cannot reach consistency from what "
                                + source.id() + " archived: WAL " + start + ".." + stop + " is incomplete (" + why
                                + "); not committed");
                    });
            if (pgbr.backups(pgbr.config().repo(repo)).stream().noneMatch(x -> x.label().equals(b.label()))) {
                throw new io.pgvault.api.NotFoundException("set " + b.label() + " was expired from " + source.id()
                        + " while it was being mirrored: not committed (its files may be incomplete)");
            }
            MirroredSet m = new MirroredSet(stanza, b.label(), b.type(), b.prior(), b.reference(), b.startedAt(),
                    b.stoppedAt(), archiveId, start, b.walStop().orElse(start), walPolicy, cipher, files, wal,
                    clock.instant(), Optional.empty(), b.systemId(), fingerprint, info, b.error());
            store.put(m);
            sel.held().put(m.label(), m);
            return m;
        }

        /**
         * The set's manifest lists every file the repository must hold for it: each must be among the files copied
         * (or, for files a DIFF/INCR references, among its references' mirrored files). A file expired or deleted
         * while the set was copied, or one the source cannot list, fails the set.
         */
        private void checkComplete(PgBackRestBackup b, List<MirroredFile> files) {
            String manifestPath = "backup/" + stanza + "/" + b.label() + "/backup.manifest";
            MirroredFile copied = files.stream().filter(f -> f.path().equals(manifestPath)).findFirst()
                    .orElseThrow(() -> new io.pgvault.api.NotFoundException("set " + b.label() + " has no "
                            + "backup.manifest in " + source.id()));
            RepoFiles.Expected expected = RepoFiles.expectedFiles(source.open(manifestPath), subPass(), stanza,
                    b.label());
            if (!expected.manifestSha256().equals(copied.sha256())) {
                throw new IntegrityException("backup.manifest of " + b.label() + " in " + source.id() + " changed "
                        + "while it was mirrored: pgBackRest never rewrites a finished set's manifest; not committed");
            }
            Set<String> have = new java.util.HashSet<>();
            files.forEach(f -> have.add(f.path()));
            for (String ref : b.reference()) {
                MirroredSet r = sel.held().get(ref);
                if (r != null) {
                    r.files().forEach(f -> have.add(f.path()));
                }
            }
            List<String> missing = expected.paths().stream().filter(p -> !have.contains(p)).toList();
            if (!missing.isEmpty()) {
                throw new IntegrityException("set " + b.label() + " is incomplete in " + source.id() + ": its "
                        + "manifest lists " + missing.size() + " file(s) the copy lacks, e.g. " + missing.get(0)
                        + " (expired or deleted while it was being mirrored, or a name the source cannot list); "
                        + "not committed");
            }
        }

        /** @return the source's sub-passphrase (read from its backup.info once per run); empty when unencrypted */
        private Optional<String> subPass() {
            if (subPass == null) {
                learnSubPass(RepoFiles.read(source, "backup/" + stanza + "/backup.info", RepoFiles.MAX_INFO_BYTES));
            }
            return subPass;
        }

        private void learnSubPass(byte[] backupInfo) {
            subPass = RepoFiles.subPass(backupInfo, pgbr.config().repo(repo).cipherPass());
            fingerprint = subPass.map(RepoFiles::fingerprint);
        }

        private List<MirroredFile> copyAll(List<SourceFile> files) {
            List<MirroredFile> out = new ArrayList<>(files.size());
            for (SourceFile f : files) {
                try {
                    ObjectKeys.validate(store.fileKey(f.path()));
                } catch (RuntimeException e) {
                    throw new IntegrityException(f.path() + " in " + source.id() + " cannot be stored in "
                            + store.repository.id() + " under its name (" + e.getMessage() + "): the set is not "
                            + "mirrored", e);
                }
                FileCopier.Copied c = copier.copy(f);
                count(c);
                out.add(c.file());
            }
            return out;
        }

        private void count(FileCopier.Copied c) {
            switch (c.how()) {
                case SENT -> {
                    sent++;
                    bytes += c.file().size();
                }
                case RESUMED -> resumed++;
                case SHARED -> shared++;
                default -> throw new IllegalStateException();
            }
        }

        /**
         * Copies pgBackRest's info files as they are now to keys of their own (by digest): the set being mirrored
         * keeps these whatever the source's info files become (a re-created stanza, a rotated cipher passphrase).
         */
        private List<MirroredFile> snapshotInfo() {
            List<MirroredFile> now = new ArrayList<>();
            for (SourceFile f : layout.infoFiles()) {
                FileCopier.Snapshot snap = copier.snapshot(f);
                count(snap.copied());
                now.add(snap.copied().file());
                if (f.path().equals("backup/" + stanza + "/backup.info") && subPass == null) {
                    learnSubPass(snap.bytes());
                }
            }
            if (now.stream().noneMatch(f -> f.path().endsWith("/backup.info"))
                    || now.stream().noneMatch(f -> f.path().endsWith("/archive.info"))) {
                throw new io.pgvault.api.NotFoundException("no backup.info or archive.info for stanza " + stanza
                        + " in " + source.id());
            }
            return now;
        }

        /** The first WAL segment of the next mirrored or wanted set after the given one. */
        private Optional<String> nextStart(Instant startedAt, String label) {
            record Start(Instant at, String label, String wal) {
            }
            List<Start> starts = new ArrayList<>();
            sel.held().values().forEach(m -> starts.add(new Start(m.startedAt(), m.label(), m.walStart())));
            sel.wanted().forEach(b -> b.walStart().ifPresent(w -> starts.add(new Start(b.startedAt(), b.label(), w))));
            return starts.stream()
                    .filter(s -> s.at().isAfter(startedAt) || s.at().equals(startedAt) && s.label().compareTo(label) > 0)
                    .min(Comparator.comparing(Start::at).thenComparing(Start::label)).map(Start::wal);
        }

        /**
         * Adds WAL archived since to the mirrored PITR sets of the source's current incarnation, whether or not the
         * source still lists them (it expires sets long before the mirror does), and reports holes in their WAL.
         */
        void extendPitr() {
            Set<String> inSource = new TreeSet<>();
            sel.all().forEach(b -> inSource.add(b.label()));
            Optional<String> systemId = sel.all().stream().max(Comparator.comparing(PgBackRestBackup::startedAt))
                    .flatMap(PgBackRestBackup::systemId);
            for (MirroredSet m : List.copyOf(sel.held().values())) {
                if (m.walPolicy() != WalPolicy.PITR) {
                    continue;
                }
                boolean sameIncarnation = m.systemId().isEmpty() ? inSource.contains(m.label())
                        : m.systemId().equals(systemId) && m.cipherFingerprint().equals(sourceFingerprint());
                if (!sameIncarnation) {
                    continue;
                }
                Set<String> have = new TreeSet<>();
                m.wal().forEach(f -> have.add(f.path()));
                List<SourceFile> extra = layout.wal(m.walStart(), m.walStop(), m.archiveId(), WalPolicy.PITR,
                        nextStart(m.startedAt(), m.label())).stream().filter(f -> !have.contains(f.path())).toList();
                MirroredSet current = m;
                if (!extra.isEmpty()) {
                    List<MirroredFile> wal = new ArrayList<>(m.wal());
                    wal.addAll(copyAll(extra));
                    wal.sort(Comparator.comparing(MirroredFile::path));
                    current = m.withWal(wal);
                    store.put(current);
                    sel.held().put(m.label(), current);
                    walExtended += extra.size();
                }
                for (String gap : SourceLayout.gaps(current.wal().stream().map(MirroredFile::path).toList())) {
                    warnings.add("set " + m.label() + ": its mirrored WAL has a hole, " + gap
                            + " (the source expired it before the mirror copied it): point-in-time recovery from "
                            + "this set stops there");
                }
            }
        }

        private Optional<String> sourceFingerprint() {
            subPass();
            return fingerprint;
        }
    }

    @Override
    public String toString() {
        return "PgBackRestMirror[" + stanza + (source == null ? "" : " from " + source.id()) + " -> " + tier + ", "
                + walPolicy + "]";
    }

    /** Builds a {@link PgBackRestMirror}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private final String stanza;
        private PgBackRest pgbr;
        private int repo;
        private SourceRepo source;
        private Tier tier;
        private WalPolicy walPolicy = WalPolicy.CONSISTENCY;
        private String prefix = "pgbackrest";
        private Clock clock = Clock.systemUTC();
        private String localOwner;
        private Duration debrisGrace = Duration.ofDays(1);

        private Builder(String stanza) {
            this.stanza = stanza;
        }

        /**
         * @param pgbr the facade of the stanza whose sets are mirrored ({@code info} lists them)
         * @param repo the repo index to mirror; a posix repo is read directly at its path unless {@link #source} says
         *             otherwise; default: no source (a mirror that can only materialize, prune and report)
         * @return this
         */
        public Builder source(PgBackRest pgbr, int repo) {
            this.pgbr = pgbr;
            this.repo = repo;
            return this;
        }

        /**
         * @param files how to read the repo's files, e.g. {@link SourceRepo#of} over the S3 bucket of an s3 repo;
         *              default: the posix repo's directory
         * @return this
         */
        public Builder source(SourceRepo files) {
            this.source = files;
            return this;
        }

        /**
         * @param tier where the mirror goes (any repository), which sets (its filter; DIFF/INCR bring what they
         *             reference) and how long they stay (its retention); it must copy byte for byte (no pipeline)
         * @return this
         */
        public Builder tier(Tier tier) {
            this.tier = tier;
            return this;
        }

        /** @param policy which WAL goes with each set; default {@link WalPolicy#CONSISTENCY} @return this */
        public Builder wal(WalPolicy policy) {
            this.walPolicy = policy;
            return this;
        }

        /**
         * @param prefix the key prefix in the tier's repository; default {@code pgbackrest}; {@code ""} for its root
         * @return this
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** @param clock for filters, retention and records; default UTC system clock @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @param user the OS user materialized repositories are given to (the user pgBackRest runs as, e.g.
         *             {@code postgres}); default: the JVM's user
         * @return this
         */
        public Builder localOwner(String user) {
            this.localOwner = user;
            return this;
        }

        /**
         * @param grace how old a file no mirrored set lists must be before {@link #prune} removes it; default 1 day
         * @return this
         */
        public Builder debrisGrace(Duration grace) {
            this.debrisGrace = grace;
            return this;
        }

        /** @return the mirror */
        public PgBackRestMirror build() {
            List<String> problems = new ArrayList<>();
            if (stanza == null || !stanza.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                problems.add("stanza '" + stanza + "' must be letters, digits and _ . - (as a key segment)");
            }
            if (tier == null) {
                problems.add("tier is required: where the mirror goes");
            } else if (tier.reencodes()) {
                problems.add("tier " + tier.name() + " re-encodes copies (a pipeline), but a pgBackRest mirror copies "
                        + "the repository's files byte for byte so that pgBackRest can restore from it; use pgBackRest's "
                        + "repo cipher for encryption and a tier without a pipeline");
            }
            if (pgbr != null) {
                if (!pgbr.config().stanza().equals(stanza)) {
                    problems.add("source stanza " + pgbr.config().stanza() + " is not the mirror's stanza " + stanza);
                }
                try {
                    PgBackRestRepo r = pgbr.config().repo(repo);
                    if (source == null && r.type() != PgBackRestRepo.Type.POSIX) {
                        problems.add("repo" + repo + " is " + r.type() + ": give builder.source(SourceRepo.of("
                                + "repository, prefix)) to read it");
                    }
                } catch (RuntimeException e) {
                    problems.add("source repo " + repo + ": " + e.getMessage());
                }
            } else if (source != null) {
                problems.add("source(SourceRepo) needs source(pgbackrest, repo) too: pgbackrest info lists the sets");
            }
            if (walPolicy == null) {
                problems.add("wal policy must not be null");
            }
            if (clock == null) {
                problems.add("clock must not be null");
            }
            if (debrisGrace == null || debrisGrace.isNegative()) {
                problems.add("debrisGrace must be zero or positive");
            }
            if (prefix == null) {
                problems.add("prefix must not be null");
            } else if (!prefix.isEmpty()) {
                try {
                    ObjectKeys.validate(prefix);
                } catch (RuntimeException e) {
                    problems.add("prefix: " + e.getMessage());
                }
            }
            ConfigurationException.throwIfAny(problems);
            return new PgBackRestMirror(this);
        }
    }
}
