package io.pgvault.operations.health;

import io.pgvault.api.ConfigurationException;
import io.pgvault.operations.ConnectionSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Watches WAL archiving of one PostgreSQL cluster (the RPO of a pgBackRest setup): reads {@code pg_stat_archiver}
 * and the current WAL position over JDBC, and optionally runs an archive check of the backup tool (e.g. pgBackRest's
 * {@code check}, which forces a WAL switch and waits for it to be archived) at most once per {@code toolCheckEvery}.
 *
 * <pre>{@code
 * ArchiveMonitor archive = ArchiveMonitor.builder("main", ConnectionSource.of(conn))
 *         .lag(Thresholds.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
 *         .toolCheck("pgbackrest check", () -> pgbackrest.check(Duration.ofSeconds(60)))
 *         .build();
 * }</pre>
 *
 * @since 0.2.0
 */
public final class ArchiveMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveMonitor.class);
    private static final String QUERY = "SELECT current_setting('archive_mode'), pg_is_in_recovery(), "
            + "a.archived_count, a.last_archived_wal, a.last_archived_time, a.failed_count, a.last_failed_wal, "
            + "a.last_failed_time, now(), (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), "
            + "CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END, "
            + "CASE WHEN pg_is_in_recovery() THEN NULL ELSE (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint END "
            + "FROM pg_stat_archiver a";

    private final String name;
    private final ConnectionSource source;
    private final Thresholds lag;
    private final String toolCheckName;
    private final ToolCheck toolCheck;
    private final Duration toolCheckEvery;
    private Instant toolCheckedAt;
    private Optional<String> toolCheckFailure = Optional.empty();

    private ArchiveMonitor(Builder b) {
        this.name = b.name;
        this.source = b.source;
        this.lag = b.lag;
        this.toolCheckName = b.toolCheckName;
        this.toolCheck = b.toolCheck;
        this.toolCheckEvery = b.toolCheckEvery;
    }

    /**
     * @param name   names the cluster in reports, e.g. the stanza
     * @param source the cluster whose archiving is watched (the primary)
     * @return a builder
     */
    public static Builder builder(String name, ConnectionSource source) {
        return new Builder(name, source);
    }

    /** @return the cluster's name in reports */
    public String name() {
        return name;
    }

    /**
     * Reads the archiver's state now.
     *
     * @return the status
     * @throws io.pgvault.api.PgVaultException when the server cannot be queried
     */
    public ArchiveStatus status() {
        try (Connection c = source.open("pgvault-health");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(QUERY)) {
            rs.next();
            Instant now = rs.getTimestamp(9).toInstant();
            Optional<String> archivedWal = Optional.ofNullable(rs.getString(4));
            Optional<Instant> archivedAt = instant(rs.getTimestamp(5));
            long segmentSize = rs.getLong(10);
            Optional<String> currentWal = Optional.ofNullable(rs.getString(11));
            long lsn = rs.getLong(12);
            Optional<Long> pending = Optional.empty();
            Optional<Long> lagBytes = Optional.empty();
            Optional<Duration> lagTime = Optional.empty();
            if (currentWal.isPresent()) {
                long currentSegment = lsn / segmentSize;
                long archivedEnd = archivedWal.flatMap(w -> WalNames.segmentNumber(w, segmentSize))
                        .map(seg -> seg + 1).orElse(0L);
                long p = Math.max(0, currentSegment - archivedEnd);
                pending = Optional.of(p);
                lagBytes = Optional.of(Math.max(0, lsn - archivedEnd * segmentSize));
                lagTime = Optional.of(p == 0 ? Duration.ZERO
                        : archivedAt.map(t -> Duration.between(t, now)).orElse(Duration.ZERO));
            }
            return new ArchiveStatus(now, rs.getString(1), rs.getBoolean(2), rs.getLong(3), archivedWal, archivedAt,
                    rs.getLong(6), Optional.ofNullable(rs.getString(7)), instant(rs.getTimestamp(8)), currentWal,
                    pending, lagBytes, lagTime);
        } catch (SQLException e) {
            throw ConnectionSource.failure("read pg_stat_archiver", source, e);
        }
    }

    /**
     * Runs the check: the archiver's status, and the tool's check when one is set and due.
     *
     * @param clock decides when the tool check is due again
     * @return the {@code wal-archive} check
     */
    public HealthCheck check(Clock clock) {
        String component = "archive:" + name;
        ArchiveStatus s;
        try {
            s = status();
        } catch (RuntimeException e) {
            return new HealthCheck("wal-archive", component, HealthStatus.UNKNOWN,
                    "cannot read the archiver status: " + e.getMessage(), Map.of());
        }
        Map<String, Object> facts = facts(s);
        Optional<String> toolFailure = runToolCheck(clock);
        toolFailure.ifPresent(f -> facts.put("toolCheckFailure", f));
        List<String> problems = new ArrayList<>();
        HealthStatus status = HealthStatus.OK;
        if (!"on".equals(s.archiveMode()) && !"always".equals(s.archiveMode())) {
            return new HealthCheck("wal-archive", component, HealthStatus.CRITICAL, "archive_mode is "
                    + s.archiveMode() + ": no WAL is archived and point-in-time recovery is impossible", facts);
        }
        if (s.inRecovery()) {
            status = HealthStatus.UNKNOWN;
            problems.add("the server is a standby; watch archiving on the primary");
        }
        if (s.failing()) {
            status = HealthStatus.CRITICAL;
            problems.add("archiving is failing: " + s.lastFailedWal().orElse("?") + " failed at "
                    + s.lastFailed().orElseThrow() + " (" + s.failedCount() + " failure(s) since the statistics "
                    + "reset), last success " + s.lastArchived().map(Instant::toString).orElse("never"));
        }
        if (s.lag().isPresent()) {
            HealthStatus byLag = lag.status(s.lag().get());
            if (byLag != HealthStatus.OK) {
                problems.add("archive lag " + s.lag().get() + " with " + s.pendingSegments().orElse(0L)
                        + " segment(s) waiting (warning over " + lag.warning() + ", critical over " + lag.critical()
                        + ")");
            }
            status = status.worst(byLag);
        }
        if (toolFailure.isPresent()) {
            status = status.worst(HealthStatus.CRITICAL);
            problems.add(toolCheckName + " failed: " + toolFailure.get());
        }
        String message = problems.isEmpty() ? "WAL archiving works: lag " + s.lag().orElse(Duration.ZERO) + ", last "
                + "archived " + s.lastArchivedWal().orElse("nothing yet") : String.join("; ", problems);
        return new HealthCheck("wal-archive", component, status, message, facts);
    }

    private synchronized Optional<String> runToolCheck(Clock clock) {
        if (toolCheck == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (toolCheckedAt == null || !now.isBefore(toolCheckedAt.plus(toolCheckEvery))) {
            toolCheckedAt = now;
            try {
                toolCheck.run();
                toolCheckFailure = Optional.empty();
            } catch (Exception e) {
                LOG.warn("archive check '{}' of {} failed: {}", toolCheckName, name, e.getMessage());
                toolCheckFailure = Optional.of(String.valueOf(e.getMessage()));
            }
        }
        return toolCheckFailure;
    }

    private static Map<String, Object> facts(ArchiveStatus s) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("archiveMode", s.archiveMode());
        f.put("inRecovery", s.inRecovery());
        f.put("archivedCount", s.archivedCount());
        s.lastArchivedWal().ifPresent(v -> f.put("lastArchivedWal", v));
        s.lastArchived().ifPresent(v -> f.put("lastArchivedAt", v));
        f.put("failedCount", s.failedCount());
        s.lastFailedWal().ifPresent(v -> f.put("lastFailedWal", v));
        s.lastFailed().ifPresent(v -> f.put("lastFailedAt", v));
        f.put("failing", s.failing());
        s.currentWal().ifPresent(v -> f.put("currentWal", v));
        s.pendingSegments().ifPresent(v -> f.put("pendingSegments", v));
        s.lagBytes().ifPresent(v -> f.put("lagBytes", v));
        s.lag().ifPresent(v -> f.put("lagSeconds", v.toSeconds()));
        f.put("measuredAt", s.measuredAt());
        return f;
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }

    @Override
    public String toString() {
        return "ArchiveMonitor[" + name + " on " + source + "]";
    }

    /** A tool's own archive check; throws when archiving does not work. */
    @FunctionalInterface
    public interface ToolCheck {
        /** @throws Exception when the check fails; its message is reported */
        void run() throws Exception;
    }

    /** Builds an {@link ArchiveMonitor}. */
    public static final class Builder {
        private final String name;
        private final ConnectionSource source;
        private Thresholds lag = Thresholds.archiveLagDefault();
        private String toolCheckName;
        private ToolCheck toolCheck;
        private Duration toolCheckEvery = Duration.ofMinutes(15);

        private Builder(String name, ConnectionSource source) {
            this.name = name;
            this.source = source;
        }

        /** @param lag archive-lag thresholds; default warning over 5 min, critical over 15 min @return this */
        public Builder lag(Thresholds lag) {
            this.lag = lag;
            return this;
        }

        /**
         * @param name  how the check is named in messages, e.g. {@code pgbackrest check}
         * @param check runs the tool's archive check; throws when it fails (a failure is CRITICAL); default none
         * @return this
         */
        public Builder toolCheck(String name, ToolCheck check) {
            this.toolCheckName = name;
            this.toolCheck = check;
            return this;
        }

        /**
         * @param every how often the tool check runs at most (pgBackRest's check switches WAL segments); default
         *              15 minutes
         * @return this
         */
        public Builder toolCheckEvery(Duration every) {
            this.toolCheckEvery = every;
            return this;
        }

        /** @return the monitor */
        public ArchiveMonitor build() {
            List<String> problems = new ArrayList<>();
            if (name == null || name.isBlank()) {
                problems.add("archive monitor name must be set");
            }
            if (source == null) {
                problems.add("archive monitor " + name + ": connection source is required");
            }
            if (lag == null) {
                problems.add("archive monitor " + name + ": lag thresholds must not be null");
            }
            if (toolCheck != null && (toolCheckName == null || toolCheckName.isBlank())) {
                problems.add("archive monitor " + name + ": the tool check needs a name");
            }
            if (toolCheckEvery == null || toolCheckEvery.isNegative()) {
                problems.add("archive monitor " + name + ": toolCheckEvery must be zero or positive");
            }
            ConfigurationException.throwIfAny(problems);
            return new ArchiveMonitor(this);
        }
    }
}
