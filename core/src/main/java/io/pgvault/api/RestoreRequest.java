package io.pgvault.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to restore and where.
 *
 * @param backupId        the set to restore; empty means the newest complete set
 * @param targetDatabase  database to restore into; empty means the database the set was taken from (for a cluster
 *                        set: each database under its own name)
 * @param target          server to restore into; empty means the strategy's own connection
 * @param dropExisting    whether an existing target database may be dropped and replaced (default false)
 * @param jobs            parallel restore jobs for custom/directory dumps (default 1)
 * @param schemas         restore only these schemas (custom/directory formats); empty means all
 * @param tables          restore only these tables (custom/directory formats); empty means all
 * @param includeGlobals  whether roles/tablespaces recorded with {@code pg_dumpall --globals-only} are replayed
 * @param verifyFirst     whether every object's stored checksum is verified before the target is touched
 *                        (default true)
 * @param allowUnauthenticated whether a set whose manifest is not proven authentic (see {@link Authenticity}) may
 *                        be restored (default false: such a set is refused before anything is read; ADR 0013)
 * @since 0.1.0
 */
public record RestoreRequest(Optional<BackupId> backupId, Optional<String> targetDatabase,
        Optional<PgConnection> target, boolean dropExisting, int jobs, List<String> schemas, List<String> tables,
        boolean includeGlobals, boolean verifyFirst, boolean allowUnauthenticated) {

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public RestoreRequest {
        backupId = backupId == null ? Optional.empty() : backupId;
        targetDatabase = targetDatabase == null ? Optional.empty() : targetDatabase;
        target = target == null ? Optional.empty() : target;
        schemas = schemas == null ? List.of() : List.copyOf(schemas);
        tables = tables == null ? List.of() : List.copyOf(tables);
        List<String> problems = new ArrayList<>();
        if (jobs < 1 || jobs > 64) {
            problems.add("jobs must be 1..64, was " + jobs);
        }
        if (targetDatabase.isPresent() && targetDatabase.get().isBlank()) {
            problems.add("target database must not be blank");
        }
        ConfigurationException.throwIfAny(problems);
    }

    /** @return a builder: newest set, original database name, no drop, one job, verify first */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether only part of the set is restored */
    public boolean selective() {
        return !schemas.isEmpty() || !tables.isEmpty();
    }

    /** Builds a {@link RestoreRequest}. */
    public static final class Builder {
        private BackupId backupId;
        private String targetDatabase;
        private PgConnection target;
        private boolean dropExisting;
        private int jobs = 1;
        private final List<String> schemas = new ArrayList<>();
        private final List<String> tables = new ArrayList<>();
        private boolean includeGlobals;
        private boolean verifyFirst = true;
        private boolean allowUnauthenticated;

        private Builder() {
        }

        /** @param id set to restore; default the newest @return this */
        public Builder backupId(BackupId id) {
            this.backupId = id;
            return this;
        }

        /** @param name target database; default the source's name @return this */
        public Builder targetDatabase(String name) {
            this.targetDatabase = name;
            return this;
        }

        /** @param target server to restore into; default the strategy's connection @return this */
        public Builder target(PgConnection target) {
            this.target = target;
            return this;
        }

        /** @param drop allow dropping an existing target database; default false @return this */
        public Builder dropExisting(boolean drop) {
            this.dropExisting = drop;
            return this;
        }

        /** @param jobs parallel restore jobs; default 1 @return this */
        public Builder jobs(int jobs) {
            this.jobs = jobs;
            return this;
        }

        /** @param schema restore only this schema (repeatable) @return this */
        public Builder schema(String schema) {
            schemas.add(Objects.requireNonNull(schema));
            return this;
        }

        /** @param table restore only this table (repeatable; {@code schema.table} or {@code table}) @return this */
        public Builder table(String table) {
            tables.add(Objects.requireNonNull(table));
            return this;
        }

        /** @param include replay recorded roles/tablespaces first; default false @return this */
        public Builder includeGlobals(boolean include) {
            this.includeGlobals = include;
            return this;
        }

        /** @param verify verify checksums before touching the target; default true @return this */
        public Builder verifyFirst(boolean verify) {
            this.verifyFirst = verify;
            return this;
        }

        /**
         * @param allow restore a set whose manifest is not proven authentic (written before 0.4.0, by a vault without
         *              a key, or altered); default false. Say so only for a repository nobody else can write.
         * @return this
         * @since 0.4.0
         */
        public Builder allowUnauthenticated(boolean allow) {
            this.allowUnauthenticated = allow;
            return this;
        }

        /** @return the validated request */
        public RestoreRequest build() {
            return new RestoreRequest(Optional.ofNullable(backupId), Optional.ofNullable(targetDatabase),
                    Optional.ofNullable(target), dropExisting, jobs, schemas, tables, includeGlobals, verifyFirst,
                    allowUnauthenticated);
        }
    }
}
