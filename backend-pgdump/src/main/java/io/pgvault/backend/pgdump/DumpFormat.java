package io.pgvault.backend.pgdump;

import java.util.Locale;

/**
 * The pg_dump output format of a set.
 *
 * @since 0.1.0
 */
public enum DumpFormat {
    /**
     * Plain SQL ({@code pg_dump -Fp}), streamed from pg_dump's standard output and restored with {@code psql} in a
     * single transaction: no local disk for either. Cannot be restored selectively or in parallel.
     *
     * @since 0.1.0
     */
    PLAIN("plain", ".sql"),
    /**
     * pg_dump's custom archive ({@code pg_dump -Fc -Z0}: uncompressed, because the pgvault pipeline compresses),
     * streamed from standard output: no local disk for a backup. Restored with {@code pg_restore}, selectively and
     * (after staging the whole archive in a scratch file) in parallel.
     *
     * @since 0.1.0
     */
    CUSTOM("custom", ".dump"),
    /**
     * pg_dump's directory archive ({@code pg_dump -Fd --jobs N -Z0}), the only format pg_dump writes with several
     * jobs. pg_dump writes files into the backup's scratch directory; each is streamed into the repository as
     * {@code <db>.dir/<file>} and deleted as soon as pg_dump has closed it, while pg_dump goes on, and pg_dump is
     * paused while the uploads are behind. Local disk for a backup: about the largest files in flight (those being
     * written, those being sent, those finished in between), {@code toc.dat}, and all large objects at once; for a
     * restore, or a deep verify, the whole dump of one database. Each file is its own object, so with age passphrase
     * encryption every file pays its own scrypt key derivation when it is written and when it is read; for databases
     * with many tables prefer X25519 keys, or the custom format.
     *
     * @since 0.1.0
     */
    DIRECTORY("directory", ".dir");

    private final String label;
    private final String suffix;

    DumpFormat(String label, String suffix) {
        this.label = label;
        this.suffix = suffix;
    }

    /**
     * @return the name recorded in set and object attributes: {@code plain}, {@code custom} or {@code directory}
     * @since 0.1.0
     */
    public String label() {
        return label;
    }

    /** @return the object-name suffix of a database's dump */
    String suffix() {
        return suffix;
    }

    /**
     * @param label a recorded format name
     * @return the format
     * @throws IllegalArgumentException when the label is unknown
     * @since 0.1.0
     */
    public static DumpFormat fromLabel(String label) {
        for (DumpFormat f : values()) {
            if (f.label.equals(label.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown pg_dump format '" + label + "'");
    }
}
