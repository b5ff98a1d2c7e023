package io.pgvault.api;

/**
 * A set whose manifest is not proven authentic ({@link Authenticity}) was about to be restored, copied to a tier or
 * drilled, and nobody opted in. Nothing was read from the set's objects and nothing was changed (ADR 0013).
 *
 * @since 0.4.0
 */
public final class UnauthenticatedSetException extends IntegrityException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The set's authenticity when it was refused. */
    private final Authenticity authenticity;

    /**
     * @param set        the refused set
     * @param repository where its manifest was read
     * @param action     what was refused, e.g. {@code restored}
     */
    public UnauthenticatedSetException(BackupSet set, String repository, String action) {
        super(ErrorCode.INTEGRITY, "backup set " + set.id() + " in " + repository + " is not " + action
                + ": its manifest is " + describe(set.authenticity()) + ". Configure the integrity key or encryption"
                + " secret it was written with; opt in (allowUnauthenticated / acceptUnauthenticated) only for a"
                + " repository nobody else can write", null);
        this.authenticity = set.authenticity();
    }

    /** @return what the reader proved of the manifest */
    public Authenticity authenticity() {
        return authenticity;
    }

    private static String describe(Authenticity a) {
        return switch (a) {
            case AUTHENTICATED -> "authenticated";
            case UNSIGNED -> "unsigned (written before 0.4.0, or by a vault with no integrity key or encryption"
                    + " secret)";
            case UNVERIFIED -> "signed, but this vault has no key to check it";
            case MISMATCH -> "signed, and its MAC does not verify (altered, or signed with another key)";
        };
    }
}
