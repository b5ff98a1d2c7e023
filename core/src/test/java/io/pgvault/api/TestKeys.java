package io.pgvault.api;

/** Keys the core tests sign manifests with (ADR 0013). */
public final class TestKeys {
    /** An integrity key of the required length; tests only. */
    public static final Secret INTEGRITY = Secret.of("pgvault-core-tests-integrity-key-0123456789");
    /** The default pipeline, signing manifests with {@link #INTEGRITY}. */
    public static final PipelineOptions SIGNED = PipelineOptions.defaults().withIntegrityKey(INTEGRITY);

    private TestKeys() {
    }
}
