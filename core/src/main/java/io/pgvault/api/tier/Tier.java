package io.pgvault.api.tier;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.spi.Repository;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One further place that copies of backup sets go to: a repository, which sets it receives, how long it keeps them,
 * and how the copy is encoded.
 *
 * <pre>{@code
 * Tier offsite = Tier.builder("s3", s3Repository.withStorageClass(S3StorageClass.STANDARD_IA))
 *         .retention(RetentionPolicy.keepWithin(Duration.ofDays(30)))
 *         .build();
 * Tier monthly = Tier.builder("drive", driveRepository)
 *         .filter(TierFilter.lastOfMonth(ZoneId.of("Europe/Berlin")))
 *         .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(driveKey)))
 *         .build();
 * }</pre>
 *
 * <p>Storage class, server-side encryption and the like belong to the repository: pass a repository configured for
 * the tier (for S3, {@code S3Repository#withStorageClass} shares the connections of one client).
 *
 * @param name         a short, unique name used in reports, events and logs ({@code [A-Za-z0-9_.-]}, 1–64 chars)
 * @param repository   where the copies are stored; a catalog of its own
 * @param filter       which primary sets the tier receives (default {@link TierFilter#all()})
 * @param retention    the tier's own retention, applied by {@link Tiering#prune}; empty keeps every copy (default)
 * @param pipeline     compression and encryption for the copies; empty copies the stored bytes byte for byte
 *                     (default). When present, each object is decoded (digests checked) and encoded again in memory,
 *                     never touching disk; the tier's manifest records the new stored digests, the logical ones stay
 * @param required     whether a failed copy fails {@code backup()} (default false: reported, never silent)
 * @param verification how copies are checked (default {@link CopyVerification#READ_BACK})
 * @param maxCopyWait  how long the primary's prune keeps a set that this tier should receive but does not hold yet
 *                     (a tier down for days); past it the set may be pruned, and the loss is reported loudly (an
 *                     event, a notice in the primary, health CRITICAL for a required tier). Default 30 days
 * @since 0.2.0
 */
public record Tier(String name, Repository repository, TierFilter filter, Optional<RetentionPolicy> retention,
        Optional<PipelineOptions> pipeline, boolean required, CopyVerification verification, Duration maxCopyWait) {

    /** Default of {@link #maxCopyWait()}. */
    public static final Duration DEFAULT_MAX_COPY_WAIT = Duration.ofDays(30);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Validates the components. */
    public Tier {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(filter, "filter");
        retention = retention == null ? Optional.empty() : retention;
        pipeline = pipeline == null ? Optional.empty() : pipeline;
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(maxCopyWait, "maxCopyWait");
        if (maxCopyWait.isNegative()) {
            throw new ConfigurationException("tier " + name + ": maxCopyWait must not be negative");
        }
        if (!NAME.matcher(name).matches()) {
            throw new ConfigurationException("tier name '" + name + "' must be 1-64 characters of A-Z a-z 0-9 _ . -");
        }
    }

    /**
     * The components of 0.2.0, with the default {@link #maxCopyWait()}.
     *
     * @param name         the tier's name
     * @param repository   where its copies go
     * @param filter       which sets it receives
     * @param retention    its own retention
     * @param pipeline     its own encoding, if any
     * @param required     whether a failed copy fails the backup
     * @param verification how copies are checked
     */
    public Tier(String name, Repository repository, TierFilter filter, Optional<RetentionPolicy> retention,
            Optional<PipelineOptions> pipeline, boolean required, CopyVerification verification) {
        this(name, repository, filter, retention, pipeline, required, verification, DEFAULT_MAX_COPY_WAIT);
    }

    /**
     * @param name       the tier's name
     * @param repository where its copies go
     * @return a builder with the defaults: every set, no retention, byte-for-byte copies, optional, read-back checks
     * @since 0.2.0
     */
    public static Builder builder(String name, Repository repository) {
        return new Builder(name, repository);
    }

    /** @return whether copies are decoded and encoded again with the tier's own pipeline */
    public boolean reencodes() {
        return pipeline.isPresent();
    }

    @Override
    public String toString() {
        return "Tier[" + name + " -> " + repository.id() + ", " + filter.describe()
                + retention.map(r -> ", retention " + r.describe()).orElse("")
                + pipeline.map(p -> ", re-encoded " + p.compression().algorithm() + "/" + p.encryption().scheme())
                        .orElse(", byte-for-byte")
                + (required ? ", required" : ", optional") + "]";
    }

    /** Builds a {@link Tier}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private final String name;
        private final Repository repository;
        private TierFilter filter = TierFilter.all();
        private RetentionPolicy retention;
        private PipelineOptions pipeline;
        private boolean required;
        private CopyVerification verification = CopyVerification.READ_BACK;
        private Duration maxCopyWait = DEFAULT_MAX_COPY_WAIT;

        private Builder(String name, Repository repository) {
            this.name = name;
            this.repository = repository;
        }

        /** @param filter which sets the tier receives; default {@link TierFilter#all()} @return this */
        public Builder filter(TierFilter filter) {
            this.filter = filter;
            return this;
        }

        /** @param retention the tier's own retention; default none (keep every copy) @return this */
        public Builder retention(RetentionPolicy retention) {
            this.retention = retention;
            return this;
        }

        /**
         * @param pipeline compression and encryption for the tier's copies (for example another age key); default
         *                 none: stored bytes are copied unchanged and read with the primary's key
         * @return this
         */
        public Builder pipeline(PipelineOptions pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        /** @param required whether a failed copy fails the backup call; default false @return this */
        public Builder required(boolean required) {
            this.required = required;
            return this;
        }

        /** @param verification how copies are checked; default {@link CopyVerification#READ_BACK} @return this */
        public Builder verification(CopyVerification verification) {
            this.verification = verification;
            return this;
        }

        /**
         * @param maxCopyWait how long the primary keeps a set this tier still lacks; default 30 days
         * @return this
         * @since 0.3.0
         */
        public Builder maxCopyWait(Duration maxCopyWait) {
            this.maxCopyWait = maxCopyWait;
            return this;
        }

        /** @return the tier */
        public Tier build() {
            List<String> problems = new ArrayList<>();
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add("tier name '" + name + "' must be 1-64 characters of A-Z a-z 0-9 _ . -");
            }
            if (repository == null) {
                problems.add("tier " + name + ": repository is required");
            }
            if (filter == null) {
                problems.add("tier " + name + ": filter must not be null");
            }
            if (verification == null) {
                problems.add("tier " + name + ": verification must not be null");
            }
            if (maxCopyWait == null || maxCopyWait.isNegative()) {
                problems.add("tier " + name + ": maxCopyWait must be zero or positive, was " + maxCopyWait);
            }
            ConfigurationException.throwIfAny(problems);
            return new Tier(name, repository, filter, Optional.ofNullable(retention), Optional.ofNullable(pipeline),
                    required, verification, maxCopyWait);
        }
    }
}
