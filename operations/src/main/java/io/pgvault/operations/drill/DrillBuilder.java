package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.event.VaultListener;
import io.pgvault.operations.OptionalDependency;
import io.pgvault.spi.Repository;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings every {@link RestoreDrill} has: which set, the throwaway server (binaries, OS user, work directory,
 * start timeout), the checks run on every restored database (amcheck, {@link SqlAssertion}s), and where the outcome is
 * recorded and told. {@link LogicalDrill.Builder} and {@link PhysicalDrill.Builder} add what only their kind has.
 *
 * @param <B> the concrete builder
 * @since 0.6.0
 */
public abstract class DrillBuilder<B extends DrillBuilder<B>> {
    BackupId backupId;
    Repository records;
    Path binDir;
    String serverUser;
    Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    boolean amcheck = true;
    boolean heapAllIndexed = true;
    final List<SqlAssertion> assertions = new ArrayList<>();
    Duration startTimeout = Duration.ofMinutes(5);
    boolean record = true;
    final List<VaultListener> listeners = new ArrayList<>();
    Clock clock;

    DrillBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param id the set to drill; default the newest complete set
     * @return this
     * @since 0.6.0
     */
    public B backupId(BackupId id) {
        this.backupId = id;
        return self();
    }

    /**
     * @param repository where drill records ({@code drills/<set id>.json}) are kept
     * @return this
     * @since 0.6.0
     */
    public B records(Repository repository) {
        this.records = repository;
        return self();
    }

    /**
     * @param dir directory of {@code initdb}, {@code pg_ctl}, {@code postgres} and the client tools; default
     *            {@code pg_config --bindir}, else the newest {@code /usr/lib/postgresql/N/bin}
     * @return this
     * @since 0.6.0
     */
    public B binDir(Path dir) {
        this.binDir = dir;
        return self();
    }

    /**
     * @param user OS user the throwaway server runs as; default {@code postgres} when this JVM is root (PostgreSQL
     *             refuses root), else this process's own user
     * @return this
     * @since 0.6.0
     */
    public B serverUser(String user) {
        this.serverUser = user;
        return self();
    }

    /**
     * @param dir where the throwaway server's private (0700) directory is made; it needs room for the restored
     *            database, and the server user must be able to enter it; when this JVM is not root and
     *            {@link #serverUser} is set, that user creates the directory itself (through {@code sudo}), so it
     *            must be able to write here (its own directory, or a sticky one such as {@code /tmp}); the drill is
     *            refused otherwise, never given a world-writable directory. Default {@code java.io.tmpdir}
     * @return this
     * @since 0.6.0
     */
    public B workDirectory(Path dir) {
        this.workDirectory = dir;
        return self();
    }

    /**
     * @param check run amcheck's {@code bt_index_check} on every btree index where the extension is available;
     *              default true
     * @return this
     * @since 0.6.0
     */
    public B amcheck(boolean check) {
        this.amcheck = check;
        return self();
    }

    /**
     * @param heapAllIndexed also check that every heap tuple has its index entry ({@code heapallindexed});
     *                       default true (reads every table once more)
     * @return this
     * @since 0.6.0
     */
    public B heapAllIndexed(boolean heapAllIndexed) {
        this.heapAllIndexed = heapAllIndexed;
        return self();
    }

    /**
     * @param assertion a query the restored copy must satisfy (repeatable)
     * @return this
     * @since 0.6.0
     */
    public B assertion(SqlAssertion assertion) {
        assertions.add(Objects.requireNonNull(assertion, "assertion"));
        return self();
    }

    /**
     * @param timeout how long the throwaway server may take to start and, after a restore, to answer; default
     *                5 minutes
     * @return this
     * @since 0.6.0
     */
    public B startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return self();
    }

    /**
     * @param record write the drill record (and, for a logical drill that passed, the set's {@code lastVerified});
     *               default true
     * @return this
     * @since 0.6.0
     */
    public B record(boolean record) {
        this.record = record;
        return self();
    }

    /**
     * @param listener told about {@link DrillCompleted} (repeatable)
     * @return this
     * @since 0.6.0
     */
    public B listener(VaultListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return self();
    }

    /**
     * @param clock time source of the report and records; default the vault's clock, else the system's
     * @return this
     * @since 0.6.0
     */
    public B clock(Clock clock) {
        this.clock = clock;
        return self();
    }

    /**
     * @return the drill
     * @throws io.pgvault.api.ConfigurationException listing every problem found
     * @since 0.6.0
     */
    public abstract RestoreDrill build();

    /** @return the problems of the common settings, for {@code build()} */
    List<String> commonProblems() {
        List<String> problems = new ArrayList<>();
        if (!OptionalDependency.POSTGRESQL_JDBC.present()) { // the checks query the throwaway server over JDBC
            problems.add("restore drills need " + OptionalDependency.POSTGRESQL_JDBC.coordinates() + " on the "
                    + "class path; it is an optional dependency of pgvault-operations (since 0.6.0): add it");
        }
        if (workDirectory == null) {
            problems.add("workDirectory must not be null");
        } else {
            problems.addAll(ThrowawayPostgres.checkWorkDirectory(workDirectory));
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            problems.add("startTimeout must be positive");
        }
        if (serverUser != null && (serverUser.isBlank() || serverUser.startsWith("-")
                || serverUser.chars().anyMatch(Character::isWhitespace))) {
            problems.add("invalid serverUser '" + serverUser + "'");
        }
        if (binDir != null && !binDir.isAbsolute()) {
            problems.add("binDir must be absolute, was " + binDir);
        }
        return problems;
    }

    /** @return the common settings, frozen */
    DrillSettings settings(Repository defaultRecords, Clock defaultClock) {
        Optional<String> user = serverUser != null ? Optional.of(serverUser)
                : ThrowawayPostgres.isRoot() ? Optional.of(ThrowawayPostgres.SUPERUSER) : Optional.empty();
        return new DrillSettings(Optional.ofNullable(backupId), Optional.ofNullable(binDir), user, workDirectory,
                amcheck, heapAllIndexed, assertions, startTimeout, record,
                Optional.ofNullable(records != null ? records : defaultRecords), listeners,
                clock != null ? clock : defaultClock);
    }
}
