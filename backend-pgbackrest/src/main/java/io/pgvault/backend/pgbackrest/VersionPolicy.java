package io.pgvault.backend.pgbackrest;

/**
 * What {@link PgBackRest#version()} does with a pgBackRest it does not know.
 *
 * @since 0.1.0
 */
public enum VersionPolicy {
    /**
     * Refuse versions older than {@link PgBackRestVersion#MINIMUM} and output that is not upstream pgBackRest's
     * (forks); warn about versions that are not {@link PgBackRestVersion#TESTED_VERSIONS}. The default.
     */
    WARN,
    /**
     * Refuse everything except the versions pgvault is tested against ({@link PgBackRestVersion#TESTED_VERSIONS}, any
     * patch level).
     */
    STRICT,
    /** Accept anything that reports a version, with a warning; for forks an operator has vetted. */
    LENIENT
}
