package io.pgvault.operations.drill;

import java.util.Objects;

/**
 * One check of a drill and how it went.
 *
 * @param name     what was checked, e.g. {@code row counts shop} or {@code assertion orders exist}
 * @param outcome  passed, failed, or skipped (with the reason in {@code detail})
 * @param expected what should hold, e.g. {@code 5 tables, 16200 rows}
 * @param actual   what was found
 * @param detail   the differences, the error, or why it was skipped; empty when there is nothing to add
 * @since 0.2.0
 */
public record DrillCheck(String name, Outcome outcome, String expected, String actual, String detail) {

    /**
     * How a check went.
     *
     * @since 0.2.0
     */
    public enum Outcome {
        /** It held. */
        PASSED,
        /** It did not hold: the drill fails. */
        FAILED,
        /** It could not run here (e.g. amcheck not installed, no counts recorded); the drill can still pass. */
        SKIPPED
    }

    /** Checks the components; null texts become empty. */
    public DrillCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        expected = oneLine(expected);
        actual = oneLine(actual);
        detail = oneLine(detail);
    }

    /** Server messages span lines ({@code Position: 15}); a report line should not. */
    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    static DrillCheck of(String name, boolean passed, String expected, String actual, String detail) {
        return new DrillCheck(name, passed ? Outcome.PASSED : Outcome.FAILED, expected, actual, detail);
    }

    static DrillCheck skipped(String name, String why) {
        return new DrillCheck(name, Outcome.SKIPPED, "", "", why);
    }

    static DrillCheck failed(String name, String expected, String detail) {
        return new DrillCheck(name, Outcome.FAILED, expected, "", detail);
    }

    /** @return whether it did not fail */
    public boolean ok() {
        return outcome != Outcome.FAILED;
    }
}
