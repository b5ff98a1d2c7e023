package io.pgvault.operations.schedule;

/** {@link JobStore#inMemory()} keeps the claim contract. */
class InMemoryJobStoreClaimTest extends JobStoreClaimContract {
    private final JobStore store = JobStore.inMemory();

    @Override
    JobStore store() {
        return store;
    }
}
