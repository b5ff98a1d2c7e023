package io.pgvault.cli;

/**
 * The command's exit codes, as the logical shell template has them: scripts and cron read them.
 *
 * @since 0.6.0
 */
public final class Exit {
    /** Done. */
    public static final int OK = 0;
    /** The work failed (a backup, a verify that found problems, a damaged set, a failed drill). */
    public static final int FAILED = 1;
    /** Usage or configuration is wrong: nothing was done. */
    public static final int USAGE = 2;
    /** The backup is committed, but an optional tier did not receive its copy. */
    public static final int OPTIONAL_TIER_FAILED = 3;

    private Exit() {
    }
}
