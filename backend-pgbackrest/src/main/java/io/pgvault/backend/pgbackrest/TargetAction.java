package io.pgvault.backend.pgbackrest;

/**
 * What PostgreSQL does when recovery reaches its target ({@code --target-action}).
 *
 * @since 0.1.0
 */
public enum TargetAction {
    /** Pause recovery, so the result can be inspected before promotion (pgBackRest's default). */
    PAUSE("pause"),
    /** End recovery and open the database for writes. */
    PROMOTE("promote"),
    /** Shut the server down at the target. */
    SHUTDOWN("shutdown");

    private final String option;

    TargetAction(String option) {
        this.option = option;
    }

    /**
     * @return the value pgBackRest expects, e.g. {@code promote}
     * @since 0.1.0
     */
    public String option() {
        return option;
    }
}
