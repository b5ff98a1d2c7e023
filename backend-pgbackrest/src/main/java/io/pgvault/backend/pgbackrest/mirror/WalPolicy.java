package io.pgvault.backend.pgbackrest.mirror;

/**
 * Which archived WAL a mirror copies with each set.
 *
 * @since 0.2.0
 */
public enum WalPolicy {
    /**
     * The segments the set needs to become consistent: from its archive start to its archive stop, the
     * {@code .backup} label file and the timeline {@code .history} files. Restores the set to the end of the backup
     * (pgBackRest's default {@code --type=default} replays what the mirror holds, or {@code --type=immediate}).
     */
    CONSISTENCY,
    /**
     * Everything from the set's archive start up to the next selected set's start (for the newest set: up to the
     * newest segment archived at the time of each mirror run), so any point in between can be restored to.
     */
    PITR
}
