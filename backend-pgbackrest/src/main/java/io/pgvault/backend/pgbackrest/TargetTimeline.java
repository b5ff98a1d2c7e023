package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;

/**
 * Which timeline recovery follows: pgBackRest's {@code --target-timeline}, written to PostgreSQL's
 * {@code recovery_target_timeline}.
 *
 * <pre>{@code
 * TargetTimeline.current()     // --target-timeline=current: stay on the backup's timeline
 * TargetTimeline.latest()      // --target-timeline=latest: follow the newest timeline in the archive
 * TargetTimeline.of(10)        // --target-timeline=10 (hexadecimal A in WAL file names and pgBackRest's messages)
 * }</pre>
 *
 * <p>Without one, pgBackRest writes no {@code recovery_target_timeline} (except {@code current} for
 * {@link RestoreTarget#immediate()} on PostgreSQL 12 and later) and PostgreSQL's default applies: {@code latest}
 * since PostgreSQL 12, {@code current} before. pgBackRest 2.55 and later check before restoring that the chosen
 * timeline's history contains the backup ({@code [058] target timeline ... forked from backup timeline ...}); older
 * versions restore anyway and PostgreSQL refuses to start ({@code requested timeline ... is not a child of this
 * server's history}). After a failover or an earlier point-in-time restore, a backup taken on the old timeline after
 * the fork can only be restored with {@link #current()} (or a timeline number whose history includes it).
 *
 * <p>pgBackRest accepts no target timeline with {@link RestoreTarget#immediate()} (it forces {@code current}
 * there); {@link PhysicalRestoreRequest} reports that combination. With PostgreSQL 11 or older, leave it unset
 * rather than {@link #current()}: pgBackRest before 2.55 writes {@code current} explicitly, which those versions read
 * as {@code latest}.
 *
 * @since 0.2.0
 */
public sealed interface TargetTimeline {

    /**
     * @return the value of {@code --target-timeline}, e.g. {@code current} or {@code 3}
     * @since 0.2.0
     */
    String option();

    /**
     * @return recover along the backup's own timeline, ignoring later ones
     * @since 0.2.0
     */
    static TargetTimeline current() {
        return Named.CURRENT;
    }

    /**
     * @return recover along the newest timeline found in the archive
     * @since 0.2.0
     */
    static TargetTimeline latest() {
        return Named.LATEST;
    }

    /**
     * @param timeline a timeline number, 1 to 4294967295 (decimal; timeline {@code 0000000A} in a WAL file name is
     *                 10)
     * @return recover along that timeline
     * @throws ConfigurationException if the number is out of range
     * @since 0.2.0
     */
    static TargetTimeline of(long timeline) {
        return new Id(timeline);
    }

    /**
     * Parses the forms pgBackRest accepts, for configuration read from files or the environment.
     *
     * @param text {@code current}, {@code latest}, a decimal number, or a hexadecimal one with {@code 0x}
     * @return the timeline
     * @throws ConfigurationException if the text is none of those
     * @since 0.2.0
     */
    static TargetTimeline parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("current")) {
            return current();
        }
        if (t.equalsIgnoreCase("latest")) {
            return latest();
        }
        try {
            return of(t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16)
                    : Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new ConfigurationException("a target timeline is current, latest or a timeline number, was '"
                    + text + "'");
        }
    }

    /**
     * {@code current} or {@code latest}.
     *
     * @since 0.2.0
     */
    enum Named implements TargetTimeline {
        /** The backup's own timeline. */
        CURRENT("current"),
        /** The newest timeline in the archive. */
        LATEST("latest");

        private final String option;

        Named(String option) {
            this.option = option;
        }

        @Override
        public String option() {
            return option;
        }
    }

    /**
     * A timeline by number.
     *
     * @param timeline 1 to 4294967295 (PostgreSQL's timeline ids are unsigned 32-bit)
     * @since 0.2.0
     */
    record Id(long timeline) implements TargetTimeline {
        private static final long MAX = 0xFFFF_FFFFL;

        /** Validates the number. */
        public Id {
            if (timeline < 1 || timeline > MAX) {
                throw new ConfigurationException("a timeline number is 1.." + MAX + ", was " + timeline);
            }
        }

        @Override
        public String option() {
            return Long.toString(timeline);
        }
    }
}
