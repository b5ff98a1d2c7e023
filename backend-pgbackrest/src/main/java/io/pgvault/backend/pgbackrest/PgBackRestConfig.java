package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.spi.process.Launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Everything pgvault needs to drive pgBackRest for one stanza. Immutable; validated when built, reporting every
 * problem at once. {@code toString()} shows no secret.
 *
 * <pre>{@code
 * PgBackRestConfig config = PgBackRestConfig.builder("main")
 *         .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/15/main")).port(5432).build())
 *         .standby(PgCluster.builder(Path.of("/var/lib/postgresql/15/replica")).port(5433).build())
 *         .backupStandby(BackupStandby.PREFER)
 *         .repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).build())
 *         .repo(PgBackRestRepo.s3(s3Config).cipher(passphrase).build())
 *         .configFile(Path.of("/etc/pgvault/pgbackrest.conf"))
 *         .launcher(Launcher.asUser("postgres"))
 *         .build();
 * }</pre>
 *
 * @param stanza              the stanza name
 * @param cluster             the PostgreSQL cluster ({@code pg1-*})
 * @param standbys            its standbys ({@code pg2-*}, {@code pg3-*}, ... in this order; at most 7), which
 *                            {@link BackupStandby#YES}/{@link BackupStandby#PREFER} back up from; since 0.2.0
 * @param repos               the repositories, each with its index, in index order
 * @param configFile          where {@code pgbackrest.conf} is written (0600, owned by the launcher's user)
 * @param includeDirectory    {@code --config-include-path}: the directory of the 0600 secrets file that
 *                            {@code archive-push}/{@code archive-get} (run by the server, without pgvault's
 *                            environment) read
 * @param logPath             {@code log-path}
 * @param lockPath            {@code lock-path}
 * @param spoolPath           {@code spool-path} (asynchronous archiving)
 * @param compressType        {@code compress-type}
 * @param compressLevel       {@code compress-level}; empty: pgBackRest's default for the type
 * @param processMax          {@code process-max}
 * @param archiveAsync        {@code archive-async}
 * @param archivePushQueueMax {@code archive-push-queue-max} in bytes; empty: unlimited
 * @param backupStandby       {@code backup-standby}; {@link BackupStandby#YES} and {@link BackupStandby#PREFER} need
 *                            a standby (a {@code boolean} until 0.2.0)
 * @param startFast           {@code start-fast}: force a checkpoint when a backup starts
 * @param archiveTimeout      {@code archive-timeout}: how long backups and {@code check} wait for WAL to arrive;
 *                            written in a form the detected pgBackRest version reads (whole seconds as {@code 60},
 *                            fractions as {@code 1500ms} from 2.53 on and {@code 1.500} before)
 * @param executable          the {@code pgbackrest} program: an absolute path or a name on {@code PATH} (of the
 *                            launcher's environment)
 * @param launcher            where and as whom pgBackRest runs (local, as {@code postgres}, in a container, over
 *                            ssh)
 * @param commandTimeout      time limit of long commands (backup, restore, verify)
 * @param versionPolicy       how unknown pgBackRest versions are treated
 * @param allowRoot           run pgBackRest even where the launcher runs it as root (uid 0); false: refused before
 *                            anything runs or is written. Dangerous: see {@link Builder#allowRoot(boolean)}. Since
 *                            0.6.0
 * @since 0.1.0
 */
public record PgBackRestConfig(String stanza, PgCluster cluster, List<PgCluster> standbys,
        List<PgBackRestRepo> repos, Path configFile, Path includeDirectory, Path logPath, Path lockPath,
        Path spoolPath, CompressType compressType, OptionalInt compressLevel, int processMax, boolean archiveAsync,
        OptionalLong archivePushQueueMax, BackupStandby backupStandby, boolean startFast, Duration archiveTimeout,
        String executable, Launcher launcher, Duration commandTimeout, VersionPolicy versionPolicy,
        boolean allowRoot) {

    /**
     * The most standbys a stanza names: pgBackRest 2.33 reads {@code pg1}..{@code pg8}.
     *
     * @since 0.2.0
     */
    public static final int MAX_STANDBYS = 7;

    /** Validates the components, reporting every problem at once. */
    public PgBackRestConfig {
        repos = repos == null ? List.of() : List.copyOf(repos);
        standbys = standbys == null ? List.of() : List.copyOf(standbys);
        compressLevel = compressLevel == null ? OptionalInt.empty() : compressLevel;
        archivePushQueueMax = archivePushQueueMax == null ? OptionalLong.empty() : archivePushQueueMax;
        List<String> problems = new ArrayList<>();
        if (stanza == null || !stanza.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            problems.add("stanza must be 1-64 letters, digits, '_', '.', '-', was '" + stanza + "'");
        }
        if (cluster == null) {
            problems.add("cluster (pg1-*) is required");
        }
        standbys(cluster, standbys, backupStandby, problems);
        if (repos.isEmpty()) {
            problems.add("at least one repo is required");
        }
        Set<Integer> seen = new HashSet<>();
        for (PgBackRestRepo r : repos) {
            if (r.index() < 1) {
                problems.add("repo " + r + " has no index; build the config with the builder");
            } else if (!seen.add(r.index())) {
                problems.add("repo index " + r.index() + " is used twice");
            }
        }
        sameLocation(repos, problems);
        absolute("configFile", configFile, problems);
        absolute("includeDirectory", includeDirectory, problems);
        absolute("logPath", logPath, problems);
        absolute("lockPath", lockPath, problems);
        absolute("spoolPath", spoolPath, problems);
        if (compressType == null) {
            problems.add("compressType is required");
        }
        compressLevel.ifPresent(l -> {
            if (l < -5 || l > 22) {
                problems.add("compressLevel must be -5..22, was " + l);
            }
        });
        if (processMax < 1 || processMax > 999) {
            problems.add("processMax must be 1..999, was " + processMax);
        }
        archivePushQueueMax.ifPresent(q -> {
            if (q < 1) {
                problems.add("archivePushQueueMax must be positive, was " + q);
            }
        });
        if (archiveTimeout == null || archiveTimeout.toMillis() < 100 || archiveTimeout.toSeconds() > 86_400) {
            problems.add("archiveTimeout must be 0.1 s..24 h, was " + archiveTimeout);
        } else if (archiveTimeout.getNano() % 1_000_000 != 0) {
            problems.add("archiveTimeout must be whole milliseconds (pgBackRest reads no finer), was "
                    + archiveTimeout);
        }
        if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()) {
            problems.add("commandTimeout must be positive, was " + commandTimeout);
        }
        if (executable == null || executable.isBlank() || executable.startsWith("-")) {
            problems.add("executable must be a program name or path, was '" + executable + "'");
        }
        if (launcher == null) {
            problems.add("launcher is required");
        }
        if (versionPolicy == null) {
            problems.add("versionPolicy is required");
        }
        ConfigurationException.throwIfAny(problems);
        repos = repos.stream().sorted((a, b) -> Integer.compare(a.index(), b.index())).toList();
    }

    /**
     * The components of 0.5.0: pgBackRest is never run as root ({@code allowRoot} false).
     *
     * @param stanza              the stanza name
     * @param cluster             the PostgreSQL cluster
     * @param standbys            its standbys
     * @param repos               the repositories
     * @param configFile          where {@code pgbackrest.conf} is written
     * @param includeDirectory    the include directory of the secrets file
     * @param logPath             {@code log-path}
     * @param lockPath            {@code lock-path}
     * @param spoolPath           {@code spool-path}
     * @param compressType        {@code compress-type}
     * @param compressLevel       {@code compress-level}
     * @param processMax          {@code process-max}
     * @param archiveAsync        {@code archive-async}
     * @param archivePushQueueMax {@code archive-push-queue-max}
     * @param backupStandby       {@code backup-standby}
     * @param startFast           {@code start-fast}
     * @param archiveTimeout      {@code archive-timeout}
     * @param executable          the {@code pgbackrest} program
     * @param launcher            where and as whom pgBackRest runs
     * @param commandTimeout      time limit of long commands
     * @param versionPolicy       how unknown pgBackRest versions are treated
     * @since 0.6.0
     */
    public PgBackRestConfig(String stanza, PgCluster cluster, List<PgCluster> standbys, List<PgBackRestRepo> repos,
            Path configFile, Path includeDirectory, Path logPath, Path lockPath, Path spoolPath,
            CompressType compressType, OptionalInt compressLevel, int processMax, boolean archiveAsync,
            OptionalLong archivePushQueueMax, BackupStandby backupStandby, boolean startFast, Duration archiveTimeout,
            String executable, Launcher launcher, Duration commandTimeout, VersionPolicy versionPolicy) {
        this(stanza, cluster, standbys, repos, configFile, includeDirectory, logPath, lockPath, spoolPath, compressType,
                compressLevel, processMax, archiveAsync, archivePushQueueMax, backupStandby, startFast, archiveTimeout,
                executable, launcher, commandTimeout, versionPolicy, false);
    }

    private static void standbys(PgCluster cluster, List<PgCluster> standbys, BackupStandby backupStandby,
            List<String> problems) {
        if (cluster != null && cluster.host().isPresent()) {
            problems.add("the cluster (pg1) cannot name a host (" + cluster.host().get() + "): pgvault runs pgBackRest "
                    + "beside the cluster it backs up; only standbys may be on other hosts");
        }
        if (standbys.size() > MAX_STANDBYS) {
            problems.add("at most " + MAX_STANDBYS + " standbys (pg2..pg8), were " + standbys.size());
        }
        Set<String> places = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        List<PgCluster> all = new ArrayList<>();
        if (cluster != null) {
            all.add(cluster);
        }
        all.addAll(standbys);
        for (int i = 0; i < all.size(); i++) {
            PgCluster pg = all.get(i);
            String host = pg.host().orElse("");
            if (!places.add(host + ":" + pg.dataDirectory())) {
                problems.add("pg" + (i + 1) + " has the data directory " + pg.dataDirectory()
                        + " of another cluster of the stanza on the same host");
            }
            if (!endpoints.add(host + ":" + pg.port() + ":" + pg.socketDirectory().map(Path::toString).orElse(""))) {
                problems.add("pg" + (i + 1) + " has the port " + pg.port() + " and socket directory of another "
                        + "cluster of the stanza on the same host");
            }
        }
        if (backupStandby == null) {
            problems.add("backupStandby is required");
        } else if (backupStandby.usesStandby() && standbys.isEmpty()) {
            problems.add("backupStandby " + backupStandby + " needs a standby (Builder#standby): with pg1 alone "
                    + "pgBackRest finds no standby and every backup fails");
        }
    }

    /**
     * Two repos at one place would be one repository written by two pgBackRest repo configurations: each would see the
     * other's sets and WAL as its own, and expiring in one would remove from both.
     */
    private static void sameLocation(List<PgBackRestRepo> repos, List<String> problems) {
        java.util.Map<String, PgBackRestRepo> places = new java.util.HashMap<>();
        for (PgBackRestRepo r : repos.stream().sorted((a, b) -> Integer.compare(a.index(), b.index())).toList()) {
            PgBackRestRepo other = places.putIfAbsent(r.location(), r);
            if (other == null) {
                continue;
            }
            String p = "repo" + r.index() + "-";
            String where = r.s3().map(s3 -> p + "s3-bucket=" + s3.bucket() + ", " + p + "s3-endpoint=" + s3.endpoint()
                    + s3.port().stream().mapToObj(port -> ", " + p + "storage-port=" + port).findFirst().orElse("")
                    + ", " + p + "path=" + r.path()).orElse(p + "path=" + r.path());
            problems.add("repo" + r.index() + " is the same repository as repo" + other.index() + " (" + where
                    + "): two repos of a stanza must not share a location; give each its own path");
        }
    }

    private static void absolute(String name, Path p, List<String> problems) {
        if (p == null || !p.isAbsolute()) {
            problems.add(name + " must be an absolute path, was " + p);
        }
    }

    /**
     * @param stanza the stanza name
     * @return a builder with the defaults documented on each setting
     * @since 0.1.0
     */
    public static Builder builder(String stanza) {
        return new Builder(stanza);
    }

    /**
     * @return a builder holding these settings
     * @since 0.1.0
     */
    public Builder toBuilder() {
        Builder b = new Builder(stanza).cluster(cluster).configFile(configFile).includeDirectory(includeDirectory)
                .logPath(logPath).lockPath(lockPath).spoolPath(spoolPath).compressType(compressType)
                .processMax(processMax).archiveAsync(archiveAsync).backupStandby(backupStandby).startFast(startFast)
                .archiveTimeout(archiveTimeout).executable(executable).launcher(launcher)
                .commandTimeout(commandTimeout).versionPolicy(versionPolicy).allowRoot(allowRoot);
        repos.forEach(b::repo);
        standbys.forEach(b::standby);
        compressLevel.ifPresent(b::compressLevel);
        archivePushQueueMax.ifPresent(b::archivePushQueueMax);
        return b;
    }

    /**
     * @param index a repo index
     * @return that repo
     * @throws ConfigurationException when the stanza has no such repo
     * @since 0.1.0
     */
    public PgBackRestRepo repo(int index) {
        return repos.stream().filter(r -> r.index() == index).findFirst()
                .orElseThrow(() -> new ConfigurationException("stanza " + stanza + " has no repo" + index
                        + "; its repos are " + repos));
    }

    /**
     * @return the only repo, or the first by index
     * @since 0.1.0
     */
    public PgBackRestRepo firstRepo() {
        return repos.get(0);
    }

    @Override
    public String toString() {
        return "PgBackRestConfig[stanza " + stanza + ", " + cluster.dataDirectory() + " port " + cluster.port()
                + standbys.stream().map(s -> ", standby " + s.host().map(h -> h + ":").orElse("") + s.dataDirectory()
                        + " port " + s.port()).collect(java.util.stream.Collectors.joining())
                + ", " + repos + ", " + configFile + ", " + launcher.describe() + "]";
    }

    /**
     * Builds a {@link PgBackRestConfig}.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private final String stanza;
        private PgCluster cluster;
        private final List<PgCluster> standbys = new ArrayList<>();
        private final List<PgBackRestRepo> repos = new ArrayList<>();
        private Path configFile;
        private Path includeDirectory;
        private Path logPath = Path.of("/var/log/pgbackrest");
        private Path lockPath = Path.of("/tmp/pgbackrest");
        private Path spoolPath = Path.of("/var/spool/pgbackrest");
        private CompressType compressType = CompressType.ZST;
        private Integer compressLevel;
        private int processMax = 1;
        private boolean archiveAsync;
        private Long archivePushQueueMax;
        private BackupStandby backupStandby = BackupStandby.NO;
        private boolean startFast = true;
        private Duration archiveTimeout = Duration.ofSeconds(60);
        private String executable = "pgbackrest";
        private Launcher launcher = Launcher.local();
        private Duration commandTimeout = Duration.ofHours(12);
        private VersionPolicy versionPolicy = VersionPolicy.WARN;
        private boolean allowRoot;

        private Builder(String stanza) {
            this.stanza = stanza;
        }

        /**
         * @param cluster the PostgreSQL cluster; required
         * @return this
         * @since 0.1.0
         */
        public Builder cluster(PgCluster cluster) {
            this.cluster = cluster;
            return this;
        }

        /**
         * Adds a standby of the cluster, rendered as {@code pg2-*} (the first), {@code pg3-*}, ... with its data
         * directory, port, socket directory, user, database and, for one on another host, {@code pgN-host}. pgBackRest
         * finds out itself which cluster is the primary, so the configuration survives a failover.
         *
         * @param standby a standby; default none (at most {@link #MAX_STANDBYS})
         * @return this
         * @since 0.2.0
         */
        public Builder standby(PgCluster standby) {
            standbys.add(Objects.requireNonNull(standby, "standby"));
            return this;
        }

        /**
         * Adds a repository. One without an index gets the next free one (1, 2, ...) when the config is built.
         *
         * @param repo a repository; at least one is required
         * @return this
         * @since 0.1.0
         */
        public Builder repo(PgBackRestRepo repo) {
            repos.add(Objects.requireNonNull(repo, "repo"));
            return this;
        }

        /**
         * @param file where {@code pgbackrest.conf} is written; required (never {@code /etc/pgbackrest.conf}
         *             unless pgvault owns it)
         * @return this
         * @since 0.1.0
         */
        public Builder configFile(Path file) {
            this.configFile = file;
            return this;
        }

        /**
         * @param dir the {@code --config-include-path} holding the secrets file; default: {@code <stanza>.conf.d}
         *            next to the config file
         * @return this
         * @since 0.1.0
         */
        public Builder includeDirectory(Path dir) {
            this.includeDirectory = dir;
            return this;
        }

        /**
         * @param path {@code log-path}; default {@code /var/log/pgbackrest}
         * @return this
         * @since 0.1.0
         */
        public Builder logPath(Path path) {
            this.logPath = path;
            return this;
        }

        /**
         * @param path {@code lock-path}; default {@code /tmp/pgbackrest}
         * @return this
         * @since 0.1.0
         */
        public Builder lockPath(Path path) {
            this.lockPath = path;
            return this;
        }

        /**
         * @param path {@code spool-path}; default {@code /var/spool/pgbackrest}
         * @return this
         * @since 0.1.0
         */
        public Builder spoolPath(Path path) {
            this.spoolPath = path;
            return this;
        }

        /**
         * Sets {@code log-path}, {@code lock-path} and {@code spool-path} to {@code log}, {@code lock} and
         * {@code spool} under one directory, e.g. for a test run.
         *
         * @param dir the directory
         * @return this
         * @since 0.1.0
         */
        public Builder workDirectory(Path dir) {
            return logPath(dir.resolve("log")).lockPath(dir.resolve("lock")).spoolPath(dir.resolve("spool"));
        }

        /**
         * @param type {@code compress-type}; default {@link CompressType#ZST}
         * @return this
         * @since 0.1.0
         */
        public Builder compressType(CompressType type) {
            this.compressType = type;
            return this;
        }

        /**
         * @param level {@code compress-level}; default pgBackRest's for the type (3 for zst)
         * @return this
         * @since 0.1.0
         */
        public Builder compressLevel(int level) {
            this.compressLevel = level;
            return this;
        }

        /**
         * @param processes {@code process-max}; default 1
         * @return this
         * @since 0.1.0
         */
        public Builder processMax(int processes) {
            this.processMax = processes;
            return this;
        }

        /**
         * @param async {@code archive-async}; default false
         * @return this
         * @since 0.1.0
         */
        public Builder archiveAsync(boolean async) {
            this.archiveAsync = async;
            return this;
        }

        /**
         * @param bytes {@code archive-push-queue-max}: past this much queued WAL, archiving drops WAL (and reports
         *              it) rather than fill the disk; default unlimited
         * @return this
         * @since 0.1.0
         */
        public Builder archivePushQueueMax(long bytes) {
            this.archivePushQueueMax = bytes;
            return this;
        }

        /**
         * @param mode {@code backup-standby}; default {@link BackupStandby#NO}. {@link BackupStandby#YES} and
         *             {@link BackupStandby#PREFER} need a {@link #standby(PgCluster)}; {@code PREFER} needs
         *             pgBackRest 2.54 or later (checked when the configuration is written)
         * @return this
         * @since 0.2.0
         */
        public Builder backupStandby(BackupStandby mode) {
            this.backupStandby = mode;
            return this;
        }

        /**
         * @param standby {@code backup-standby}: true for {@link BackupStandby#YES}, false for
         *                {@link BackupStandby#NO}; default false
         * @return this
         * @since 0.1.0
         * @deprecated since 0.2.0: use {@link #backupStandby(BackupStandby)}, which can also say
         *             {@link BackupStandby#PREFER}
         */
        @Deprecated(since = "0.2.0")
        public Builder backupStandby(boolean standby) {
            return backupStandby(standby ? BackupStandby.YES : BackupStandby.NO);
        }

        /**
         * @param fast {@code start-fast}; default true
         * @return this
         * @since 0.1.0
         */
        public Builder startFast(boolean fast) {
            this.startFast = fast;
            return this;
        }

        /**
         * @param timeout {@code archive-timeout}, 0.1 s..24 h, to the millisecond; default 60 s. Fractions of a
         *                second are written as {@code 1500ms} for pgBackRest 2.53 and later and as {@code 1.500}
         *                before (2.53 refuses decimals; older versions read {@code 1500ms} as 1500 seconds)
         * @return this
         * @since 0.1.0
         */
        public Builder archiveTimeout(Duration timeout) {
            this.archiveTimeout = timeout;
            return this;
        }

        /**
         * @param executable the {@code pgbackrest} program; default {@code pgbackrest} on {@code PATH}
         * @return this
         * @since 0.1.0
         */
        public Builder executable(String executable) {
            this.executable = executable;
            return this;
        }

        /**
         * @param launcher where and as whom pgBackRest runs; default {@link Launcher#local()}. pgBackRest must run
         *                 as the OS user of the PostgreSQL server (usually {@code postgres}): from a JVM running as
         *                 root use {@code Launcher.asUser("postgres")}, since a launcher that runs it as root is
         *                 refused (see {@link #allowRoot(boolean)})
         * @return this
         * @since 0.1.0
         */
        public Builder launcher(Launcher launcher) {
            this.launcher = launcher;
            return this;
        }

        /**
         * @param timeout time limit of backup, restore and verify; default 12 h
         * @return this
         * @since 0.1.0
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = timeout;
            return this;
        }

        /**
         * @param policy how unknown versions are treated; default {@link VersionPolicy#WARN}
         * @return this
         * @since 0.1.0
         */
        public Builder versionPolicy(VersionPolicy policy) {
            this.versionPolicy = policy;
            return this;
        }

        /**
         * Lets pgvault run pgBackRest where the launcher runs it as root. <strong>Dangerous</strong>: files pgBackRest
         * creates as root ({@code backup.info}, {@code archive.info}, lock and log files, the config files pgvault
         * writes) cannot be written by the PostgreSQL server's user afterwards, so its {@code archive-push} fails
         * with {@code [041] Permission denied} and WAL piles up. Use it only where pgBackRest must run as root and
         * the server never archives into the same repos (e.g. a restore-only host), and prefer
         * {@code launcher(Launcher.asUser("postgres"))}. pgBackRest 2.59 and later refuse root themselves unless
         * told otherwise: for them pgvault also writes {@code allow-root=y} into {@code pgbackrest.conf}.
         *
         * @param allow run pgBackRest as root; default false: every command and {@code writeConfig()} first check,
         *              through the launcher, the user it runs as ({@code id -u}) and refuse uid 0 with
         *              {@link PgBackRestException.Kind#RUNS_AS_ROOT}
         * @return this
         * @since 0.6.0
         */
        public Builder allowRoot(boolean allow) {
            this.allowRoot = allow;
            return this;
        }

        /**
         * @return the validated configuration
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public PgBackRestConfig build() {
            List<PgBackRestRepo> indexed = new ArrayList<>();
            Set<Integer> used = new HashSet<>();
            repos.stream().filter(r -> r.index() > 0).forEach(r -> used.add(r.index()));
            int next = 1;
            for (PgBackRestRepo r : repos) {
                if (r.index() > 0) {
                    indexed.add(r);
                } else {
                    while (used.contains(next)) {
                        next++;
                    }
                    used.add(next);
                    indexed.add(r.withIndex(next));
                }
            }
            Path include = includeDirectory;
            if (include == null && configFile != null && configFile.isAbsolute() && stanza != null) {
                include = configFile.resolveSibling(stanza + ".conf.d");
            }
            return new PgBackRestConfig(stanza, cluster, standbys, indexed, configFile, include, logPath, lockPath,
                    spoolPath, compressType,
                    compressLevel == null ? OptionalInt.empty() : OptionalInt.of(compressLevel), processMax,
                    archiveAsync,
                    archivePushQueueMax == null ? OptionalLong.empty() : OptionalLong.of(archivePushQueueMax),
                    backupStandby, startFast, archiveTimeout, executable, launcher, commandTimeout, versionPolicy,
                    allowRoot);
        }
    }
}
