package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;

import java.util.ArrayList;
import java.util.List;

/**
 * WAL retention of a pgBackRest repo ({@link PgBackRestRepo.Builder#walRetention(WalRetention)}): the continuous WAL
 * between the newest {@code backups} backups of a kind is kept, older WAL only as far as an older set needs it to be
 * consistent (such a set can be restored, but not to a point in time after its end). pgBackRest applies it in the
 * automatic expire after each backup and in every {@code expire}, also in a repo whose set retention pgvault manages.
 *
 * <pre>{@code
 * // weekly fulls, daily incrementals, point-in-time recovery over the last 14 days
 * PgBackRestRepo.posix(dir).walRetention(WalRetention.ofBackups(14)).build();
 * }</pre>
 *
 * @param counting which backups are counted ({@code repoN-retention-archive-type})
 * @param backups  how many of them keep their WAL ({@code repoN-retention-archive}), 1..9999999
 * @since 0.2.0
 */
public record WalRetention(Counting counting, int backups) {
    /** Validates the components. */
    public WalRetention {
        List<String> problems = new ArrayList<>();
        if (counting == null) {
            problems.add("WAL retention needs what it counts (full, diff or incr)");
        }
        if (backups < 1 || backups > PgBackRestRepo.MANAGED_RETENTION_FULL) {
            problems.add("WAL retention must count 1.." + PgBackRestRepo.MANAGED_RETENTION_FULL + " backups, was "
                    + backups);
        }
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @param fulls how many of the newest full backups keep the WAL after them
     * @return WAL retention counted in fulls ({@code retention-archive-type=full}, pgBackRest's default type)
     * @since 0.2.0
     */
    public static WalRetention ofFulls(int fulls) {
        return new WalRetention(Counting.FULL, fulls);
    }

    /**
     * @param backups how many of the newest full and differential backups keep the WAL after them
     * @return WAL retention counted in fulls and differentials ({@code retention-archive-type=diff})
     * @since 0.2.0
     */
    public static WalRetention ofFullsAndDiffs(int backups) {
        return new WalRetention(Counting.DIFF, backups);
    }

    /**
     * @param backups how many of the newest backups of any type keep the WAL after them
     * @return WAL retention counted in every backup ({@code retention-archive-type=incr})
     * @since 0.2.0
     */
    public static WalRetention ofBackups(int backups) {
        return new WalRetention(Counting.INCR, backups);
    }

    /**
     * {@code repoN-retention-archive-type}: which backups {@link WalRetention#backups()} counts.
     *
     * @since 0.2.0
     */
    public enum Counting {
        /** Full backups ({@code full}). */
        FULL("full"),
        /** Full and differential backups ({@code diff}). */
        DIFF("diff"),
        /** Every backup ({@code incr}). */
        INCR("incr");

        private final String option;

        Counting(String option) {
            this.option = option;
        }

        /**
         * @return the value pgBackRest expects
         * @since 0.2.0
         */
        public String option() {
            return option;
        }
    }
}
