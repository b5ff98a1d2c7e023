package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionDecision;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drives the real {@code pgbackrest} CLI for one stanza: configuration, stanza lifecycle, backups, listing,
 * point-in-time restore, verification and retention. Every command runs through the configured {@link Launcher}
 * (as the PostgreSQL server's OS user), always with pgvault's own {@code --config}; secrets reach pgBackRest only
 * through {@code PGBACKREST_*} environment variables and a 0600 include file. Failures are
 * {@link PgBackRestException}s whose message ends with the remedy.
 *
 * <pre>{@code
 * PgBackRest pgbr = PgBackRest.of(config);
 * pgbr.writeConfig();                               // pgbackrest.conf + 0600 secrets include file
 * // postgresql.conf: archive_mode = on, archive_command = pgbr.archiveCommand()
 * pgbr.stanzaCreate();
 * pgbr.check(Duration.ofSeconds(60));
 * PgBackRestRepo local = config.repo(1);             // or the PgBackRestRepo given to the builder
 * BackupSet full = pgbr.backup(BackupType.FULL, local);
 * PhysicalRestoreResult r = pgbr.restore(PhysicalRestoreRequest.builder()
 *         .target(RestoreTarget.time(noted)).targetAction(TargetAction.PROMOTE)
 *         .dataDirectory(Path.of("/srv/drill/data")).startOnPort(6543).build());
 * try (RunningCopy copy = r.copy().orElseThrow()) {
 *     copy.queryValue("app", "select count(*) from orders");
 * }
 * pgbr.applyRetention(RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).build(), local, PruneMode.DRY_RUN);
 * }</pre>
 *
 * <p>This facade keeps no catalog of its own: pgBackRest's {@code info} is the source of truth, and
 * {@link #list(PgBackRestRepo)} maps it to {@link BackupSet}s (the label is the id) for retention, reports and health
 * checks.
 * Instances are thread-safe; pgBackRest's own lock serializes conflicting commands.
 *
 * <p>Repos are named by their {@link PgBackRestRepo} (since 0.6.0): one of {@link PgBackRestConfig#repos()}, the result
 * of {@link PgBackRestConfig#repo(int)}, or the very object given to {@link PgBackRestConfig.Builder#repo}, even
 * without an index; it is matched by its location, which is unique in a config. The {@code int} forms of 0.1.0 are
 * deprecated.
 *
 * @since 0.1.0
 */
public final class PgBackRest {
    private static final Logger LOG = LoggerFactory.getLogger(PgBackRest.class);
    private static final Duration SHORT = Duration.ofMinutes(10);
    /** {@code verify --set} came with pgBackRest 2.55. */
    static final int VERIFY_SET_SINCE_MINOR = 55;
    /** {@code --repo-target-time} came with pgBackRest 2.54. */
    static final int REPO_TARGET_TIME_SINCE_MINOR = 54;
    /** {@code expire --archive-expire-before} came with 2.59. */
    static final int ARCHIVE_EXPIRE_BEFORE_SINCE_MINOR = 59;
    private static final java.util.regex.Pattern WAL_SEGMENT = java.util.regex.Pattern.compile("[0-9A-Fa-f]{24}");
    private static final Duration COPY_START = Duration.ofMinutes(5);
    private static final java.util.regex.Pattern VERIFY_COUNT =
            java.util.regex.Pattern.compile("(invalid|missing|error)[^:,]*:\\s*[1-9]");

    private final PgBackRestConfig config;
    private final Cli cli;
    private final RemoteFiles files;
    private final Clock clock;
    private volatile PgBackRestVersion version;
    /** The text of pgbackrest.conf for this configuration and the installed version, once rendered. */
    private volatile String rendered;
    /** The uid the launcher runs pgBackRest as, once checked; null before. */
    private volatile Integer uid;
    private final Map<String, List<String>> checksumErrors = new ConcurrentHashMap<>();

    private PgBackRest(PgBackRestConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        ProcessRunner runner = new ProcessRunner(config.launcher());
        this.cli = new Cli(config, runner);
        this.files = new RemoteFiles(runner);
    }

    /**
     * @param config the stanza's configuration
     * @return a facade over it (nothing runs yet)
     * @since 0.1.0
     */
    public static PgBackRest of(PgBackRestConfig config) {
        return new PgBackRest(config, Clock.systemUTC());
    }

    /**
     * @param clock the clock retention plans are made with (tests use a fixed or offset clock)
     * @return a facade with the same configuration and that clock
     * @since 0.1.0
     */
    public PgBackRest withClock(Clock clock) {
        return new PgBackRest(config, clock);
    }

    /**
     * @return the configuration
     * @since 0.1.0
     */
    public PgBackRestConfig config() {
        return config;
    }

    /**
     * Runs {@code pgbackrest version} once and checks it against the {@link VersionPolicy}; later calls return the
     * cached result. Every command calls this first.
     *
     * @return the accepted version (warnings, if any, are logged once)
     * @throws ToolException TOOL_MISSING when pgBackRest is not installed; TOOL_FAILED when the version is refused
     * @since 0.1.0
     */
    public PgBackRestVersion version() {
        PgBackRestVersion v = version;
        if (v == null) {
            synchronized (this) {
                if (version == null) {
                    String out = cli.runBare("version", Duration.ofMinutes(1)).stdout();
                    PgBackRestVersion parsed = PgBackRestVersion.parse(out, config.versionPolicy());
                    parsed.warnings().forEach(w -> LOG.warn("{}", w));
                    version = parsed;
                }
                v = version;
            }
        }
        return v;
    }

    /**
     * @return the text of {@code pgbackrest.conf} as {@link #writeConfig()} writes it, for the {@link #version()}
     *         installed (running {@code pgbackrest version} once); it holds no secret
     * @throws ConfigurationException naming every setting that version does not accept (since 0.2.0)
     * @since 0.1.0
     */
    public String configText() {
        String text = rendered;
        if (text == null) {
            text = ConfigRenderer.config(config, version());
            rendered = text;
        }
        return text;
    }

    /**
     * Writes {@code pgbackrest.conf} and the secrets include file ({@code pgvault-secrets.conf} in the include
     * directory), both 0600 and owned by the launcher's user, through the launcher (so this works in a container or
     * over ssh too), and creates the log, lock and spool directories and posix repo directories. Secrets travel on the
     * writing process's standard input, never its arguments. Safe to repeat; a changed configuration replaces the
     * files atomically. The file is written for the {@link #version()} installed: durations in the form it reads, and
     * settings it does not know refused before anything is written.
     *
     * @throws ConfigurationException naming every setting the installed version does not accept (since 0.2.0)
     * @throws PgBackRestException {@link PgBackRestException.Kind#RUNS_AS_ROOT} when the launcher runs as root and
     *                             the config does not {@link PgBackRestConfig.Builder#allowRoot allow} it; nothing is
     *                             written then (since 0.6.0)
     * @throws PgVaultException when a file cannot be written
     * @since 0.1.0
     */
    public void writeConfig() {
        requireNotRoot();
        String conf = configText();
        String secrets = ConfigRenderer.secretsFile(config);
        List<Path> dirs = new ArrayList<>(List.of(config.logPath(), config.lockPath(), config.spoolPath()));
        config.repos().stream().filter(r -> r.type() == PgBackRestRepo.Type.POSIX).map(r -> Path.of(r.path()))
                .forEach(dirs::add);
        files.mkdirs(dirs);
        files.write(config.configFile(), conf);
        files.write(config.includeDirectory().resolve(ConfigRenderer.SECRETS_FILE), secrets);
        LOG.info("wrote {} and {} for stanza {} ({}, pgBackRest {}, {})", config.configFile(),
                config.includeDirectory().resolve(ConfigRenderer.SECRETS_FILE), config.stanza(), config.repos(),
                version().number(), config.launcher().describe());
    }

    /**
     * @return the {@code archive_command} to set in {@code postgresql.conf} (quote it as an SQL/config literal):
     *         {@code pgbackrest --config=... --config-include-path=... --stanza=S archive-push %p}. The server runs it
     *         without pgvault's environment, so its secrets come from the include file
     * @since 0.1.0
     */
    public String archiveCommand() {
        return shellCommand() + " archive-push %p";
    }

    /**
     * @return the {@code restore_command} for a standby or a manual recovery:
     *         {@code pgbackrest ... archive-get %f "%p"}
     * @since 0.1.0
     */
    public String restoreCommand() {
        return shellCommand() + " archive-get %f \"%p\"";
    }

    private String shellCommand() {
        List<String> parts = new ArrayList<>();
        parts.add(Launcher.shellQuote(config.executable()));
        cli.baseOptions().forEach(o -> parts.add(Launcher.shellQuote(o)));
        return String.join(" ", parts);
    }

    /**
     * {@code stanza-create}: initialises the stanza in every repo (run it again after adding a repo). The cluster
     * must be running with archiving configured.
     *
     * @throws PgBackRestException e.g. {@link PgBackRestException.Kind#STANZA_MISMATCH} when a repo already holds a
     *                             stanza of another cluster
     * @since 0.1.0
     */
    public void stanzaCreate() {
        run("stanza-create", List.of(), SHORT);
    }

    /**
     * {@code stanza-upgrade}: records a new PostgreSQL major version (after {@code pg_upgrade}) in every repo.
     *
     * @since 0.1.0
     */
    public void stanzaUpgrade() {
        run("stanza-upgrade", List.of(), SHORT);
    }

    /**
     * Deletes the stanza, <strong>with every backup and archived WAL segment in it</strong>, from one repo. pgBackRest
     * requires {@code stop} first; this runs {@code stop}, {@code stanza-delete --repo=N} ({@code --force} when
     * asked: needed while PostgreSQL still runs on the stanza's data directory) and then {@code start} again in any
     * case, so archiving and backups are not left blocked. Use it when the cluster was re-created (system-id
     * mismatch), followed by {@link #stanzaCreate()}; copy backups elsewhere first if they are still needed.
     *
     * @param repo  the repo
     * @param force delete although PostgreSQL is running
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public void stanzaDelete(PgBackRestRepo repo, boolean force) {
        stanzaDeleteAt(index(repo), force);
    }

    /**
     * Like {@link #stanzaDelete(PgBackRestRepo, boolean)}, naming the repo by its index.
     *
     * @param repo  the repo index
     * @param force delete although PostgreSQL is running
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #stanzaDelete(PgBackRestRepo, boolean)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public void stanzaDelete(int repo, boolean force) {
        stanzaDeleteAt(repo, force);
    }

    private void stanzaDeleteAt(int repo, boolean force) {
        config.repo(repo);
        run("stop", List.of(), SHORT);
        try {
            List<String> opts = new ArrayList<>(List.of("--repo=" + repo));
            if (force) {
                opts.add("--force");
            }
            run("stanza-delete", opts, SHORT);
        } finally {
            run("start", List.of(), SHORT);
        }
    }

    /**
     * {@code check} with the configured {@code archive-timeout}.
     *
     * @since 0.1.0
     */
    public void check() {
        check(config.archiveTimeout());
    }

    /**
     * {@code check --archive-timeout}: switches WAL and waits until the segment reaches every repo, and checks the
     * configuration and the stanza.
     *
     * @param archiveTimeout how long to wait for the WAL segment
     * @throws PgBackRestException {@link PgBackRestException.Kind#ARCHIVING_BROKEN} when WAL does not arrive
     * @since 0.1.0
     */
    public void check(Duration archiveTimeout) {
        Duration timeout = Duration.ofMillis(Math.max(100, archiveTimeout.toMillis()));
        run("check", List.of("--archive-timeout=" + ConfigRenderer.duration(timeout, version())),
                archiveTimeout.plus(SHORT));
    }

    /**
     * Takes a backup into one repo and returns it as listed by {@code info} afterwards. A DIFF or INCR without a
     * prior full in that repo is taken as a FULL by pgBackRest (the returned set says so).
     *
     * @param type FULL, DIFF or INCR
     * @param repo the repo
     * @return the new set
     * @throws PgBackRestException when pgBackRest fails; no set is listed then
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public BackupSet backup(BackupType type, PgBackRestRepo repo) {
        return toSet(backupAt(type, index(repo)));
    }

    /**
     * Like {@link #backup(BackupType, PgBackRestRepo)}, naming the repo by its index.
     *
     * @param type FULL, DIFF or INCR
     * @param repo the repo index
     * @return the new set
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #backup(BackupType, PgBackRestRepo)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public BackupSet backup(BackupType type, int repo) {
        return toSet(backupAt(type, repo));
    }

    /**
     * Like {@link #backup(BackupType, PgBackRestRepo)}, returning pgBackRest's own description of the set.
     *
     * @param type FULL, DIFF or INCR
     * @param repo the repo
     * @return the new set
     * @since 0.6.0
     */
    public PgBackRestBackup backupDetailed(BackupType type, PgBackRestRepo repo) {
        return backupAt(type, index(repo));
    }

    /**
     * Like {@link #backupDetailed(BackupType, PgBackRestRepo)}, naming the repo by its index.
     *
     * @param type FULL, DIFF or INCR
     * @param repo the repo index
     * @return the new set
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #backupDetailed(BackupType, PgBackRestRepo)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public PgBackRestBackup backupDetailed(BackupType type, int repo) {
        return backupAt(type, repo);
    }

    private PgBackRestBackup backupAt(BackupType type, int repo) {
        if (type == BackupType.LOGICAL) {
            throw new ConfigurationException("pgBackRest takes FULL, DIFF or INCR backups, not LOGICAL");
        }
        config.repo(repo);
        // One info call, after the backup: the label comes from the backup's own "new backup label" line (info
        // level on the console). Listing before and after cost two info runs, seconds on a large encrypted repo.
        String stdout = run("backup", List.of("--type=" + type.name().toLowerCase(java.util.Locale.ROOT),
                "--repo=" + repo, "--log-level-console=info"), config.commandTimeout()).stdout();
        Optional<String> label = newBackupLabel(stdout);
        List<PgBackRestBackup> after = backupsIn(OptionalInt.of(repo));
        Optional<PgBackRestBackup> created = label.flatMap(l -> after.stream().filter(b -> b.label().equals(l))
                .findFirst());
        return created.orElseThrow(() -> new PgVaultException(ErrorCode.TOOL_FAILED, "pgbackrest backup of stanza "
                + config.stanza() + " to repo" + repo + " succeeded but "
                + label.map(l -> "info does not list its set " + l).orElse("printed no new backup label")));
    }

    /**
     * @return every set in every repo, oldest first
     * @since 0.1.0
     */
    public List<BackupSet> info() {
        return backupsIn(OptionalInt.empty()).stream().map(this::toSet).toList();
    }

    /**
     * @param repo the repo
     * @return the sets in that repo, oldest first
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public List<BackupSet> list(PgBackRestRepo repo) {
        return backupsIn(OptionalInt.of(index(repo))).stream().map(this::toSet).toList();
    }

    /**
     * Like {@link #list(PgBackRestRepo)}, naming the repo by its index.
     *
     * @param repo the repo index
     * @return the sets in that repo, oldest first
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #list(PgBackRestRepo)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public List<BackupSet> list(int repo) {
        config.repo(repo);
        return backupsIn(OptionalInt.of(repo)).stream().map(this::toSet).toList();
    }

    /**
     * {@code info --output=json} over every repo, parsed.
     *
     * @return the sets, oldest first; empty when the stanza has none (or does not exist yet)
     * @throws PgBackRestException when info reports an error for the stanza (e.g. a wrong cipher passphrase)
     * @since 0.6.0
     */
    public List<PgBackRestBackup> backups() {
        return backupsIn(OptionalInt.empty());
    }

    /**
     * {@code info --output=json --repo=N}, parsed.
     *
     * @param repo the repo
     * @return its sets, oldest first; empty when the stanza has none there (or does not exist yet)
     * @throws PgBackRestException when info reports an error for the stanza (e.g. a wrong cipher passphrase)
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public List<PgBackRestBackup> backups(PgBackRestRepo repo) {
        return backupsIn(OptionalInt.of(index(repo)));
    }

    /**
     * {@code info --output=json}, parsed.
     *
     * @param repo one repo, or empty for all
     * @return the sets, oldest first; empty when the stanza has none (or does not exist yet)
     * @throws PgBackRestException when info reports an error for the stanza (e.g. a wrong cipher passphrase)
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #backups()} for every repo or {@link #backups(PgBackRestRepo)} for one
     */
    @Deprecated(since = "0.6.0")
    public List<PgBackRestBackup> backups(OptionalInt repo) {
        return backupsIn(repo);
    }

    private List<PgBackRestBackup> backupsIn(OptionalInt repo) {
        List<String> opts = new ArrayList<>(List.of("--output=json", "--log-level-console=off"));
        repo.ifPresent(r -> opts.add("--repo=" + r));
        String json = run("info", opts, SHORT).stdout();
        Optional<InfoParser.StanzaInfo> info = InfoParser.parse(json, config.stanza());
        if (info.isEmpty()) {
            return List.of();
        }
        InfoParser.StanzaInfo s = info.get();
        boolean encrypted = config.repos().stream().anyMatch(r -> r.cipherPass().isPresent());
        for (InfoParser.RepoStatus rs : s.repos()) {
            if (rs.code() == 99) {
                String first = rs.message().lines().findFirst().orElse(rs.message());
                PgBackRestException.Kind kind = ErrorMapper.infoStatusKind(rs.message(), encrypted);
                throw new PgBackRestException(kind, -1, 0, rs.message(), "pgbackrest info for stanza "
                        + config.stanza() + " reports an error in repo" + rs.key() + ": " + first + ": "
                        + kind.remedy(), null);
            }
        }
        if (s.statusCode() == 99 && s.repos().isEmpty()) {
            throw new PgBackRestException(PgBackRestException.Kind.OTHER, -1, 0, s.statusMessage(),
                    "pgbackrest info for stanza " + config.stanza() + " reports: " + s.statusMessage(), null);
        }
        return s.backups().stream()
                .sorted(Comparator.comparing(PgBackRestBackup::startedAt).thenComparing(PgBackRestBackup::label))
                .toList();
    }

    /**
     * Restores a backup into a data directory, replaying WAL to the request's target, and optionally starts the
     * copy for inspection. Restoring into the stanza's own data directory needs PostgreSQL stopped; restoring into a
     * new one needs it empty (or {@code delta}) and its parent writable by the launcher's user.
     *
     * @param request what to restore and where
     * @return the outcome, with the started copy when one was asked for
     * @throws PgBackRestException e.g. {@link PgBackRestException.Kind#TARGET_NOT_EMPTY},
     *                             {@link PgBackRestException.Kind#WRONG_PASSPHRASE},
     *                             {@link PgBackRestException.Kind#TIMELINE} (the target timeline forked before the
     *                             backup: see {@link PhysicalRestoreRequest.Builder#targetTimeline})
     * @since 0.1.0
     */
    public PhysicalRestoreResult restore(PhysicalRestoreRequest request) {
        Objects.requireNonNull(request, "request");
        request.repo().ifPresent(config::repo);
        if (request.repoTargetTime().isPresent()) {
            checkRepoTargetTime(request.repo().getAsInt());
        }
        Path dir = request.dataDirectory().orElse(config.cluster().dataDirectory());
        ToolResult r = run("restore", request.arguments(), config.commandTimeout());
        Optional<RunningCopy> copy = Optional.empty();
        if (request.startOnPort().isPresent()) {
            RunningCopy started = startCopy(dir, request.startOnPort().getAsInt());
            try {
                if (!request.target().stopsEarly() || request.targetAction() == TargetAction.PROMOTE) {
                    started.awaitRecoveryEnd(config.commandTimeout());
                }
            } catch (RuntimeException e) {
                try {
                    started.stop();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            copy = Optional.of(started);
        }
        return new PhysicalRestoreResult(request, dir, r.duration(), copy);
    }

    /** {@code --repo-target-time} needs pgBackRest 2.54 and a repo on object storage (versioning is the store's). */
    private void checkRepoTargetTime(int repo) {
        if (config.repo(repo).type() != PgBackRestRepo.Type.S3) {
            throw new ConfigurationException("repoTargetTime reads a versioned bucket's earlier object versions: repo"
                    + repo + " of stanza " + config.stanza() + " is a " + config.repo(repo).type().name()
                    .toLowerCase(java.util.Locale.ROOT) + " repo, which keeps no versions");
        }
        if (!version().atLeast(2, REPO_TARGET_TIME_SINCE_MINOR)) {
            PgBackRestException.Kind kind = PgBackRestException.Kind.UNSUPPORTED;
            throw new PgBackRestException(kind, -1, null, "", "pgBackRest " + version().number()
                    + " cannot read a repo as it was at a past time (--repo-target-time came with 2.54): upgrade "
                    + "pgBackRest on this host, or restore the objects' earlier versions with the store's own tools "
                    + "first", null);
        }
    }

    /**
     * Starts PostgreSQL on a restored data directory, on another port and with its socket in the data directory,
     * as the launcher's user, using {@code pg_ctl} from {@link PgCluster#binDir()}.
     *
     * @param dataDirectory a restored data directory (restored with {@code archive-mode=off} unless it may archive
     *                      into the stanza's repos)
     * @param port          a free port
     * @return the running copy; close it to stop it
     * @since 0.1.0
     */
    public RunningCopy startCopy(Path dataDirectory, int port) {
        return RunningCopy.start(cli.runner(), config.cluster().binDir().orElse(null), dataDirectory, port,
                config.cluster().user(), COPY_START);
    }

    /**
     * {@code verify --repo=N}: checks every backup file and WAL segment in the repo against pgBackRest's checksums.
     *
     * @param repo the repo
     * @return the problems found; {@link RepoVerifyResult#ok()} when none
     * @throws PgBackRestException when verify cannot run (e.g. a wrong passphrase)
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public RepoVerifyResult verify(PgBackRestRepo repo) {
        return verifyAt(index(repo));
    }

    /**
     * Like {@link #verify(PgBackRestRepo)}, naming the repo by its index.
     *
     * @param repo the repo index
     * @return the problems found; {@link RepoVerifyResult#ok()} when none
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #verify(PgBackRestRepo)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public RepoVerifyResult verify(int repo) {
        return verifyAt(repo);
    }

    /**
     * {@code verify --repo=N --set=LABEL}: checks one set's files and the WAL it needs, on pgBackRest 2.55 and later
     * (a set in a large repo verifies in the time its own files take). Older releases have no {@code --set}: the whole
     * repo is verified instead, which covers the set too, and {@link RepoVerifyResult#set()} is empty to say so.
     *
     * @param repo the repo
     * @param set  the set's label
     * @return the problems found; {@link RepoVerifyResult#ok()} when none
     * @throws PgBackRestException when verify cannot run (e.g. a wrong passphrase), or
     *                             {@link PgBackRestException.Kind#SET_NOT_FOUND} when the repo holds no such set
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public RepoVerifyResult verify(PgBackRestRepo repo, BackupId set) {
        Objects.requireNonNull(set, "set");
        int index = index(repo);
        // pgBackRest's verify --set reports a label it does not know as a clean repo: "ok" for a set that is not there
        if (backupsIn(OptionalInt.of(index)).stream().map(this::toSet).noneMatch(s -> s.id().equals(set))) {
            PgBackRestException.Kind kind = PgBackRestException.Kind.SET_NOT_FOUND;
            throw new PgBackRestException(kind, -1, null, "", "cannot verify set " + set.value() + ": repo" + index
                    + " of stanza " + config.stanza() + " holds no such set: " + kind.remedy(), null);
        }
        if (!version().atLeast(2, VERIFY_SET_SINCE_MINOR)) {
            LOG.info("pgBackRest {} has no verify --set (2.{} and later): verifying all of repo{} for {}",
                    version().number(), VERIFY_SET_SINCE_MINOR, index, set.value());
            return verifyAt(index, Optional.empty());
        }
        return verifyAt(index, Optional.of(set.value()));
    }

    private RepoVerifyResult verifyAt(int repo) {
        return verifyAt(repo, Optional.empty());
    }

    private RepoVerifyResult verifyAt(int repo, Optional<String> set) {
        config.repo(repo);
        List<String> args = new ArrayList<>(List.of("--repo=" + repo, "--log-level-console=info"));
        set.ifPresent(label -> args.add("--set=" + label));
        ToolResult r;
        try {
            r = run("verify", args, config.commandTimeout());
        } catch (PgBackRestException e) {
            if (e.kind() == PgBackRestException.Kind.COMMAND_FOUND_ERRORS) {
                return new RepoVerifyResult(repo, set, problems(e.stderrTail()), e.stderrTail(), Duration.ZERO);
            }
            throw e;
        }
        String output = r.stdout() + (r.stderrTail().isEmpty() ? "" : "\n" + r.stderrTail());
        return new RepoVerifyResult(repo, set, problems(output), output.strip(), r.duration());
    }

    /** Lines of verify's report that name a problem: errors, invalid sets, non-zero counts of damaged files. */
    static List<String> problems(String output) {
        return output.lines().map(String::strip)
                .filter(l -> l.startsWith("ERROR:") || l.contains("status: invalid")
                        || VERIFY_COUNT.matcher(l).find())
                .toList();
    }

    /**
     * {@code expire --set=LABEL --repo=N}: removes one set (and, as pgBackRest does, every set that depends on it)
     * and the WAL only it needed.
     *
     * @param repo the repo
     * @param set  the set's label
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public void expire(PgBackRestRepo repo, BackupId set) {
        expireAt(index(repo), set);
    }

    /**
     * Like {@link #expire(PgBackRestRepo, BackupId)}, naming the repo by its index.
     *
     * @param repo the repo index
     * @param set  the set's label
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #expire(PgBackRestRepo, BackupId)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public void expire(int repo, BackupId set) {
        expireAt(repo, set);
    }

    private void expireAt(int repo, BackupId set) {
        config.repo(repo);
        run("expire", List.of("--repo=" + repo, "--set=" + set.value()), config.commandTimeout());
    }

    /**
     * {@code expire --repo=N} with the repo's own retention settings (only meaningful for repos with
     * {@link PgBackRestRepo#retentionFull()} set; with pgvault-managed retention it removes nothing).
     *
     * @param repo the repo
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public void expire(PgBackRestRepo repo) {
        expireAt(index(repo));
    }

    /**
     * Like {@link #expire(PgBackRestRepo)}, naming the repo by its index.
     *
     * @param repo the repo index
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #expire(PgBackRestRepo)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public void expire(int repo) {
        expireAt(repo);
    }

    private void expireAt(int repo) {
        config.repo(repo);
        run("expire", List.of("--repo=" + repo), config.commandTimeout());
    }

    /**
     * {@code expire --archive-expire-before=SEGMENT}: removes the repo's archived WAL segments earlier than
     * {@code segment} that no retained backup needs (pgBackRest keeps everything from the oldest retained backup's
     * start on, whatever the segment). It serves an archive-only repo, such as the one a standby's
     * {@code archive_cleanup_command} trims with PostgreSQL's {@code %r} (the oldest segment it still needs), and
     * reclaims WAL archived before a stanza's first backup. The segment itself and everything after it are kept.
     *
     * @param repo    the repo
     * @param segment a WAL segment name: 24 hexadecimal digits (timeline, log, segment), e.g.
     *                {@code 000000010000000000000007}
     * @throws ConfigurationException when the repo is not one of this stanza's, or {@code segment} is not a WAL
     *                                segment name
     * @throws PgBackRestException    {@link PgBackRestException.Kind#UNSUPPORTED} before pgBackRest 2.59, which
     *                                has no such option
     * @since 0.6.0
     */
    public void expireArchiveBefore(PgBackRestRepo repo, String segment) {
        Objects.requireNonNull(segment, "segment");
        int index = index(repo);
        if (!WAL_SEGMENT.matcher(segment).matches()) {
            throw new ConfigurationException("not a WAL segment name (24 hexadecimal digits, e.g. "
                    + "000000010000000000000007): '"
                    + (segment.length() > 40 ? segment.substring(0, 40) + "..." : segment) + "'");
        }
        if (!version().atLeast(2, ARCHIVE_EXPIRE_BEFORE_SINCE_MINOR)) {
            PgBackRestException.Kind kind = PgBackRestException.Kind.UNSUPPORTED;
            throw new PgBackRestException(kind, -1, null, "", "pgBackRest " + version().number()
                    + " cannot expire WAL before a segment (--archive-expire-before came with 2."
                    + ARCHIVE_EXPIRE_BEFORE_SINCE_MINOR + "): upgrade pgBackRest on this host; its expire removes WAL "
                    + "only before the oldest retained backup", null);
        }
        run("expire", List.of("--repo=" + index, "--archive-expire-before=" + segment.toUpperCase(java.util.Locale.ROOT)),
                config.commandTimeout());
    }

    /**
     * Plans retention for one repo's sets with this facade's clock.
     *
     * @param policy the policy (e.g. 7 daily / 4 weekly / 12 monthly)
     * @param repo   the repo
     * @return the plan; dependents of kept sets are kept, the newest valid set is always kept
     * @throws ConfigurationException when the repo is not one of this stanza's, or has its own
     *                                {@link PgBackRestRepo#retentionFull()}: pgBackRest's automatic expire would
     *                                remove sets the plan keeps
     * @since 0.6.0
     */
    public RetentionPlan plan(RetentionPolicy policy, PgBackRestRepo repo) {
        return planAt(policy, index(repo));
    }

    /**
     * Like {@link #plan(RetentionPolicy, PgBackRestRepo)}, naming the repo by its index.
     *
     * @param policy the policy
     * @param repo   the repo index
     * @return the plan
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #plan(RetentionPolicy, PgBackRestRepo)} with a repo of the config
     */
    @Deprecated(since = "0.6.0")
    public RetentionPlan plan(RetentionPolicy policy, int repo) {
        return planAt(policy, repo);
    }

    private RetentionPlan planAt(RetentionPolicy policy, int repo) {
        config.repo(repo).requireManagedRetention();
        return policy.plan(backupsIn(OptionalInt.of(repo)).stream().map(this::toSet).toList(), clock.instant());
    }

    /**
     * Applies a retention policy to one repo: plans with {@link #plan}, then (with {@link PruneMode#EXECUTE}) runs
     * {@code expire --set} for each set the plan deletes, newest first so that dependents go before what they depend
     * on. Just before expiring, it lists the repo again and skips a set that a set unknown to the plan depends on
     * (pgBackRest would remove that dependent too) or that is already gone.
     *
     * @param policy the policy
     * @param repo   the repo
     * @param mode   dry run (the default choice: nothing is removed) or execute
     * @return what was (or would be) removed and why
     * @throws ConfigurationException when the repo is not one of this stanza's, or has its own
     *                                {@link PgBackRestRepo#retentionFull()}
     * @since 0.6.0
     */
    public PruneReport applyRetention(RetentionPolicy policy, PgBackRestRepo repo, PruneMode mode) {
        return applyRetentionAt(policy, index(repo), mode);
    }

    /**
     * Like {@link #applyRetention(RetentionPolicy, PgBackRestRepo, PruneMode)}, naming the repo by its index.
     *
     * @param policy the policy
     * @param repo   the repo index
     * @param mode   dry run or execute
     * @return what was (or would be) removed and why
     * @since 0.1.0
     * @deprecated since 0.6.0: use {@link #applyRetention(RetentionPolicy, PgBackRestRepo, PruneMode)} with a repo of
     *             the config
     */
    @Deprecated(since = "0.6.0")
    public PruneReport applyRetention(RetentionPolicy policy, int repo, PruneMode mode) {
        return applyRetentionAt(policy, repo, mode);
    }

    private PruneReport applyRetentionAt(RetentionPolicy policy, int repo, PruneMode mode) {
        Instant start = Instant.now();
        RetentionPlan plan = planAt(policy, repo);
        List<RetentionDecision> deleted = new ArrayList<>(plan.deleted());
        deleted.sort(Comparator.comparing((RetentionDecision d) -> d.set().startedAt())
                .thenComparing(RetentionDecision::id).reversed());
        List<BackupSet> removed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (mode == PruneMode.DRY_RUN) {
            deleted.forEach(d -> removed.add(d.set()));
        } else {
            Set<String> planned = new HashSet<>();
            plan.decisions().forEach(d -> planned.add(d.id().value()));
            Set<String> doomed = new HashSet<>();
            deleted.forEach(d -> doomed.add(d.id().value()));
            List<PgBackRestBackup> now = backupsIn(OptionalInt.of(repo));
            for (RetentionDecision d : deleted) {
                String label = d.id().value();
                if (now.stream().noneMatch(b -> b.label().equals(label))) {
                    skipped.add(label + ": already gone");
                    continue;
                }
                Optional<PgBackRestBackup> newer = now.stream().filter(b -> !doomed.contains(b.label()))
                        .filter(b -> b.reference().contains(label) || b.prior().filter(label::equals).isPresent())
                        .findFirst();
                if (newer.isPresent()) {
                    skipped.add(label + ": " + newer.get().label() + (planned.contains(newer.get().label())
                            ? " (kept)" : " (taken after planning)") + " depends on it");
                    continue;
                }
                expireAt(repo, d.id());
                removed.add(d.set());
            }
        }
        PruneReport report = new PruneReport(mode, plan, removed, skipped, List.of(),
                Duration.between(start, Instant.now()));
        LOG.info("{}", report.render());
        return report;
    }

    private BackupSet toSet(PgBackRestBackup b) {
        BackupSet s = b.toBackupSet(config.stanza());
        if (!b.error()) {
            return s;
        }
        Map<String, String> a = new LinkedHashMap<>(s.attributes());
        try {
            a.put(PgBackRestBackup.ERROR_FILES, Integer.toString(checksumErrors(b.repo(), b.label()).size()));
        } catch (RuntimeException e) {
            LOG.warn("cannot list the files of set {} flagged for checksum errors: {}", b.label(), e.getMessage());
        }
        return s.withAttributes(a);
    }

    /**
     * The files pgBackRest found page checksum errors in while it copied a set ({@code info --set}'s
     * {@code error-list}). A flagged set is complete and restorable (the pages are copied as they were); the
     * files name what to repair (e.g. {@code REINDEX} an index) before the next backup is clean. Sets are immutable,
     * so the answer is remembered.
     *
     * @param repo  the repo
     * @param label the set's label
     * @return the flagged files (e.g. {@code pg_data/base/5/16390}); empty for a clean set
     * @throws ConfigurationException when the repo is not one of this stanza's
     * @since 0.6.0
     */
    public List<String> checksumErrors(PgBackRestRepo repo, String label) {
        return checksumErrors(index(repo), label);
    }

    /**
     * Like {@link #checksumErrors(PgBackRestRepo, String)}, naming the repo by its index.
     *
     * @param repo  the repo index
     * @param label the set's label
     * @return the flagged files; empty for a clean set
     * @since 0.2.0
     */
    public List<String> checksumErrors(int repo, String label) {
        config.repo(repo);
        BackupId.of(label);
        String key = repo + "/" + label;
        List<String> known = checksumErrors.get(key);
        if (known != null) {
            return known;
        }
        String json = run("info", List.of("--output=json", "--log-level-console=off", "--repo=" + repo,
                "--set=" + label), SHORT).stdout();
        List<String> files = InfoParser.errorList(json, config.stanza(), label);
        checksumErrors.put(key, files);
        return files;
    }

    /**
     * @param repo a repo of this stanza: one of the config's, or the object given to its builder (matched by
     *             location, which the config keeps unique)
     * @return its index
     * @throws ConfigurationException when the stanza has no repo there
     */
    private int index(PgBackRestRepo repo) {
        Objects.requireNonNull(repo, "repo");
        String where = repo.location();
        return config.repos().stream()
                .filter(r -> r.location().equals(where) && (repo.index() == 0 || repo.index() == r.index()))
                .findFirst().map(PgBackRestRepo::index)
                .orElseThrow(() -> new ConfigurationException(repo + " is not a repo of stanza " + config.stanza()
                        + " (its repos are " + config.repos() + "): pass one of PgBackRestConfig#repos(), "
                        + "PgBackRestConfig#repo(n), or the PgBackRestRepo given to the builder"));
    }

    /**
     * @param stdout a backup's console output at info level
     * @return the label of the set it wrote ({@code INFO: new backup label = ...}), if printed
     */
    static Optional<String> newBackupLabel(String stdout) {
        java.util.regex.Matcher m = NEW_LABEL.matcher(stdout);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return Optional.ofNullable(found);
    }

    private static final java.util.regex.Pattern NEW_LABEL = java.util.regex.Pattern.compile(
            "new backup label = ([0-9]{8}-[0-9]{6}[FDI](?:_[0-9]{8}-[0-9]{6}[DI])?)");

    private ToolResult run(String command, List<String> options, Duration timeout) {
        requireNotRoot();
        requireCurrentConfig();
        String what = describe(command, options);
        long start = System.nanoTime();
        try {
            ToolResult r = cli.run(command, options, timeout);
            log(command, "{}: ok in {}", what, since(start));
            return r;
        } catch (PgBackRestException e) {
            log(command, "{}: failed in {}: {}{}", what, since(start), e.pgBackRestError().stream()
                    .mapToObj(n -> String.format(java.util.Locale.ROOT, "[%03d] ", n)).findFirst().orElse(""),
                    e.kind());
            throw e;
        } catch (RuntimeException e) {
            log(command, "{}: failed in {}: {}", what, since(start), e instanceof PgVaultException p
                    ? p.code() : e.getClass().getSimpleName());
            throw e;
        }
    }

    /**
     * One line per command: what ran (command, stanza, repo and the options that say what it did), how long it took
     * and the outcome. Never a message or output: those may quote configuration, and secrets reach pgBackRest only
     * through the environment, which is not logged. {@code info} is read-only and polled by health checks and
     * listings, so it logs at DEBUG; every other command at INFO.
     */
    private static void log(String command, String format, Object... args) {
        if ("info".equals(command)) {
            LOG.debug(format, args);
        } else {
            LOG.info(format, args);
        }
    }

    private String describe(String command, List<String> options) {
        StringBuilder sb = new StringBuilder("pgbackrest ").append(command).append(" (stanza ")
                .append(config.stanza());
        for (String o : options) {
            if (o.startsWith("--repo=")) {
                sb.append(", repo").append(o.substring("--repo=".length()));
            } else if (!o.startsWith("--log-level") && !o.startsWith("--output=")) {
                sb.append(", ").append(o);
            }
        }
        return sb.append(')').toString();
    }

    private static String since(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.2f s", (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * Reads the config file every command will read (through the launcher, as pgBackRest's user) and refuses to run
     * when it is not what this configuration renders: a file written for another configuration or edited by hand
     * would otherwise silently override it. Checked before every command, not once, because another process may
     * rewrite the file between two commands; writing it before every command instead would silently change what the
     * server's {@code archive-push} reads as well.
     */
    private void requireCurrentConfig() {
        String expected = configText();
        Path file = config.configFile();
        Optional<String> actual = files.read(file);
        if (actual.isPresent() && actual.get().equals(expected)) {
            return;
        }
        String what = actual.map(a -> "is not the configuration of this PgBackRest: it differs in "
                + String.join(", ", ConfigDrift.differences(expected, a))
                + " (written for another configuration or edited by hand)").orElse("does not exist");
        PgBackRestException.Kind kind = PgBackRestException.Kind.CONFIG_OUT_OF_DATE;
        throw new PgBackRestException(kind, -1, null, "", "pgbackrest.conf " + file + " (stanza " + config.stanza()
                + ", " + config.launcher().describe() + ") " + what + ": " + kind.remedy(), null);
    }

    /**
     * Asks the launcher who it runs as ({@code id -u}, once per facade) and refuses root unless the config allows it:
     * pgBackRest run as root leaves root-owned files in the repo, lock and log paths that the server's
     * {@code archive-push} then cannot write ({@code [041]}). Asking the launcher rather than inspecting it covers
     * every kind: local, runuser/sudo, a container user, an ssh destination.
     */
    private void requireNotRoot() {
        if (config.allowRoot()) {
            return;
        }
        Integer known = uid;
        if (known == null) {
            String out = cli.runner().run(io.pgvault.spi.process.ToolCommand.builder("id", "id").arg("-u")
                    .timeout(Duration.ofMinutes(1)).build()).stdout().strip();
            try {
                known = Integer.valueOf(out);
            } catch (NumberFormatException e) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot tell which user pgBackRest would run as ("
                        + config.launcher().describe() + "): `id -u` printed '" + out + "'", e);
            }
            uid = known;
        }
        if (known == 0) {
            PgBackRestException.Kind kind = PgBackRestException.Kind.RUNS_AS_ROOT;
            throw new PgBackRestException(kind, -1, null, "", "refusing to run pgbackrest for stanza "
                    + config.stanza() + " as root (uid 0, launcher: " + config.launcher().describe() + "): "
                    + kind.remedy(), null);
        }
    }

    @Override
    public String toString() {
        return "PgBackRest[" + config + "]";
    }
}
