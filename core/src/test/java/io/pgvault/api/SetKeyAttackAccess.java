package io.pgvault.api;

/** Lets attack tests in other packages write what {@link SetKeyAttackTest} plants. */
public final class SetKeyAttackAccess {
    private SetKeyAttackAccess() {
    }

    /**
     * @return an unsigned rekey record naming {@code key} as the set's key file in place of {@code replaces}
     */
    public static String plantedRekey(BackupId id, String replaces, String key, long size, String sha256) {
        return SetKeyAttackTest.plantedRekey(id, replaces, key, size, sha256);
    }
}
