package io.pgvault.backend.pgbackrest;

/**
 * pgBackRest's {@code compress-type}.
 *
 * @since 0.1.0
 */
public enum CompressType {
    /** No compression ({@code none}). */
    NONE("none"),
    /** gzip ({@code gz}): portable, slow. */
    GZ("gz"),
    /** lz4 ({@code lz4}): fastest, lower ratio. */
    LZ4("lz4"),
    /** Zstandard ({@code zst}): the usual choice, level 3 by default. */
    ZST("zst"),
    /** bzip2 ({@code bz2}). */
    BZ2("bz2");

    private final String option;

    CompressType(String option) {
        this.option = option;
    }

    /**
     * @return the value pgBackRest expects, e.g. {@code zst}
     * @since 0.1.0
     */
    public String option() {
        return option;
    }
}
