package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupId;
import io.pgvault.api.ConfigurationException;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a physical restore does: which set and repo, how far to replay WAL, where the data directory goes, and
 * whether to start the result on another port for inspection.
 *
 * <pre>{@code
 * PhysicalRestoreRequest drill = PhysicalRestoreRequest.builder()
 *         .target(RestoreTarget.time(noted))
 *         .targetAction(TargetAction.PROMOTE)
 *         .targetTimeline(TargetTimeline.current())    // stay on the backup's timeline (after a failover)
 *         .dataDirectory(Path.of("/srv/drill/data"))   // a new directory: archive-mode=off is set for it
 *         .startOnPort(6543)                           // start the copy; PhysicalRestoreResult#copy() stops it
 *         .build();
 * }</pre>
 *
 * @param target        how far to replay WAL (default {@link RestoreTarget#latest()})
 * @param targetAction  what the server does at the target (default {@link TargetAction#PAUSE}, pgBackRest's);
 *                      ignored for {@code latest}
 * @param targetTimeline which timeline recovery follows ({@code --target-timeline}); empty: PostgreSQL's default
 *                      ({@code latest} since PostgreSQL 12); not with {@link RestoreTarget#immediate()}
 * @param set           the backup set to restore from ({@code --set}); empty: pgBackRest picks the newest set
 *                      that can reach the target
 * @param repo          the repo to restore from ({@code --repo}); empty: pgBackRest tries the repos in order
 * @param dataDirectory where to restore ({@code --pg1-path}); empty: the stanza's own data directory (PostgreSQL
 *                      must be stopped)
 * @param delta         reuse matching files already in the target ({@code --delta}); without it the target must be
 *                      empty
 * @param archiveModeOff keep the restored copy from archiving into the stanza's repos ({@code --archive-mode=off});
 *                      default true for a new data directory, false for the stanza's own
 * @param startOnPort   start the restored copy on this port and wait until it accepts connections (and, with
 *                      {@link TargetAction#PROMOTE}, until recovery has ended)
 * @param repoTargetTime read the repo as it was at this time ({@code --repo-target-time}, pgBackRest 2.54 and later):
 *                      on a versioned S3 bucket, sets and WAL deleted or overwritten since (by a mistake, a leaked
 *                      key or ransomware) are read from their earlier versions; needs {@code repo}; whole seconds
 * @since 0.1.0
 */
public record PhysicalRestoreRequest(RestoreTarget target, TargetAction targetAction,
        Optional<TargetTimeline> targetTimeline, Optional<BackupId> set, OptionalInt repo, Optional<Path> dataDirectory,
        boolean delta, boolean archiveModeOff, OptionalInt startOnPort, Optional<Instant> repoTargetTime) {

    private static final DateTimeFormatter REPO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'").withZone(ZoneOffset.UTC);

    /** Validates the components, reporting every problem at once. */
    public PhysicalRestoreRequest {
        targetTimeline = targetTimeline == null ? Optional.empty() : targetTimeline;
        set = set == null ? Optional.empty() : set;
        repo = repo == null ? OptionalInt.empty() : repo;
        dataDirectory = dataDirectory == null ? Optional.empty() : dataDirectory;
        startOnPort = startOnPort == null ? OptionalInt.empty() : startOnPort;
        repoTargetTime = repoTargetTime == null ? Optional.empty() : repoTargetTime;
        List<String> problems = new ArrayList<>();
        if (target == null) {
            problems.add("target is required");
        }
        if (targetAction == null) {
            problems.add("targetAction is required");
        }
        if (targetTimeline.isPresent() && target instanceof RestoreTarget.Immediate) {
            problems.add("targetTimeline cannot be combined with the immediate target: pgBackRest rejects "
                    + "--target-timeline with --type=immediate (it stays on the backup's timeline)");
        }
        repo.ifPresent(r -> {
            if (r < 1 || r > 256) {
                problems.add("repo must be 1..256, was " + r);
            }
        });
        dataDirectory.filter(p -> !p.isAbsolute())
                .ifPresent(p -> problems.add("dataDirectory must be absolute, was " + p));
        startOnPort.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                problems.add("startOnPort must be 1..65535, was " + p);
            }
        });
        if (startOnPort.isPresent() && targetAction == TargetAction.SHUTDOWN && target != null
                && target.stopsEarly()) {
            problems.add("a copy restored with target action shutdown stops at the target: it cannot be started "
                    + "for inspection");
        }
        if (repoTargetTime.isPresent() && repo.isEmpty()) {
            problems.add("repoTargetTime needs a repo: pgBackRest reads one versioned repo as it was at that time");
        }
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * A request without a repo target time, as before 0.6.0.
     *
     * @param target         how far to replay WAL
     * @param targetAction   what the server does at the target
     * @param targetTimeline which timeline recovery follows
     * @param set            the backup set to restore from
     * @param repo           the repo to restore from
     * @param dataDirectory  where to restore
     * @param delta          reuse matching files already in the target
     * @param archiveModeOff keep the restored copy from archiving into the stanza's repos
     * @param startOnPort    start the restored copy on this port
     * @since 0.2.0
     */
    public PhysicalRestoreRequest(RestoreTarget target, TargetAction targetAction,
            Optional<TargetTimeline> targetTimeline, Optional<BackupId> set, OptionalInt repo,
            Optional<Path> dataDirectory, boolean delta, boolean archiveModeOff, OptionalInt startOnPort) {
        this(target, targetAction, targetTimeline, set, repo, dataDirectory, delta, archiveModeOff, startOnPort,
                Optional.empty());
    }

    /**
     * A request without a target timeline, as before 0.2.0.
     *
     * @param target         how far to replay WAL
     * @param targetAction   what the server does at the target
     * @param set            the backup set to restore from
     * @param repo           the repo to restore from
     * @param dataDirectory  where to restore
     * @param delta          reuse matching files already in the target
     * @param archiveModeOff keep the restored copy from archiving into the stanza's repos
     * @param startOnPort    start the restored copy on this port
     * @since 0.1.0
     */
    public PhysicalRestoreRequest(RestoreTarget target, TargetAction targetAction, Optional<BackupId> set,
            OptionalInt repo, Optional<Path> dataDirectory, boolean delta, boolean archiveModeOff,
            OptionalInt startOnPort) {
        this(target, targetAction, Optional.empty(), set, repo, dataDirectory, delta, archiveModeOff, startOnPort,
                Optional.empty());
    }

    /** @return the options this request adds to {@code pgbackrest restore}, in a fixed order */
    List<String> arguments() {
        List<String> opts = new ArrayList<>();
        dataDirectory.ifPresent(d -> opts.add("--pg1-path=" + d));
        repo.ifPresent(r -> opts.add("--repo=" + r));
        repoTargetTime.ifPresent(t -> opts.add("--repo-target-time=" + REPO_TIME.format(t)));
        set.ifPresent(s -> opts.add("--set=" + s.value()));
        if (delta) {
            opts.add("--delta");
        }
        opts.addAll(target.arguments());
        if (target.stopsEarly()) {
            opts.add("--target-action=" + targetAction.option());
        }
        targetTimeline.ifPresent(t -> opts.add("--target-timeline=" + t.option()));
        if (archiveModeOff) {
            opts.add("--archive-mode=off");
        }
        return List.copyOf(opts);
    }

    /**
     * @return a builder: latest, pause, PostgreSQL's default timeline, newest set, any repo, the stanza's own data
     *         directory, no delta
     * @since 0.1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link PhysicalRestoreRequest}.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private RestoreTarget target = RestoreTarget.latest();
        private TargetAction targetAction = TargetAction.PAUSE;
        private TargetTimeline targetTimeline;
        private BackupId set;
        private Integer repo;
        private Path dataDirectory;
        private boolean delta;
        private Boolean archiveModeOff;
        private Instant repoTargetTime;
        private Integer startOnPort;

        private Builder() {
        }

        /**
         * @param target how far to replay WAL; default latest
         * @return this
         * @since 0.1.0
         */
        public Builder target(RestoreTarget target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * @param action what the server does at the target; default pause
         * @return this
         * @since 0.1.0
         */
        public Builder targetAction(TargetAction action) {
            this.targetAction = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * @param timeline which timeline recovery follows ({@code --target-timeline}), with any target but
         *                 {@link RestoreTarget#immediate()}; default none: PostgreSQL's default ({@code latest} since
         *                 PostgreSQL 12). {@link TargetTimeline#current()} restores a backup whose timeline a
         *                 failover or an earlier PITR has since left
         * @return this
         * @since 0.2.0
         */
        public Builder targetTimeline(TargetTimeline timeline) {
            this.targetTimeline = Objects.requireNonNull(timeline, "timeline");
            return this;
        }

        /**
         * @param set the set to restore from; default pgBackRest's choice
         * @return this
         * @since 0.1.0
         */
        public Builder set(BackupId set) {
            this.set = set;
            return this;
        }

        /**
         * @param repo the repo index to restore from; default the first that has what is needed
         * @return this
         * @since 0.1.0
         */
        public Builder repo(int repo) {
            this.repo = repo;
            return this;
        }

        /**
         * @param dir restore into this directory instead of the stanza's data directory
         * @return this
         * @since 0.1.0
         */
        public Builder dataDirectory(Path dir) {
            this.dataDirectory = dir;
            return this;
        }

        /**
         * @param delta reuse matching files in a non-empty target; default false
         * @return this
         * @since 0.1.0
         */
        public Builder delta(boolean delta) {
            this.delta = delta;
            return this;
        }

        /**
         * @param off set {@code archive_mode=off} in the restored copy; default: true for a new data directory
         * @return this
         * @since 0.1.0
         */
        public Builder archiveModeOff(boolean off) {
            this.archiveModeOff = off;
            return this;
        }

        /**
         * @param port start the restored copy on this port for inspection; default: do not start it
         * @return this
         * @since 0.1.0
         */
        public Builder startOnPort(int port) {
            this.startOnPort = port;
            return this;
        }

        /**
         * @param time read the {@link #repo(int) repo} as it was at this time, from a versioned bucket's earlier
         *             object versions (pgBackRest 2.54 and later; milliseconds are dropped); default: as it is now
         * @return this
         * @since 0.6.0
         */
        public Builder repoTargetTime(Instant time) {
            this.repoTargetTime = Objects.requireNonNull(time, "time");
            return this;
        }

        /**
         * @return the validated request
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public PhysicalRestoreRequest build() {
            return new PhysicalRestoreRequest(target, targetAction, Optional.ofNullable(targetTimeline),
                    Optional.ofNullable(set), repo == null ? OptionalInt.empty() : OptionalInt.of(repo),
                    Optional.ofNullable(dataDirectory),
                    delta, archiveModeOff != null ? archiveModeOff : dataDirectory != null,
                    startOnPort == null ? OptionalInt.empty() : OptionalInt.of(startOnPort),
                    Optional.ofNullable(repoTargetTime));
        }
    }
}
