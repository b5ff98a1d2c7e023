package io.pgvault.api;

import java.util.Objects;

/**
 * Client-side authenticated encryption of stored bytes, in the <a href="https://age-encryption.org/v1">age</a>
 * format, so that an operator can decrypt with the {@code age} CLI without pgvault.
 *
 * @since 0.1.0
 */
public sealed interface Encryption {

    /** @return the name recorded in manifests: {@code none}, {@code age-scrypt} or {@code age-x25519} */
    String scheme();

    /** @return no encryption */
    static Encryption none() {
        return None.INSTANCE;
    }

    /**
     * age scrypt recipient with the default work factor (2^18, as the {@code age} CLI uses).
     *
     * @param passphrase the passphrase
     * @return passphrase encryption
     */
    static Passphrase passphrase(Secret passphrase) {
        return new Passphrase(passphrase, 18);
    }

    /**
     * age X25519: encrypt to the public key of {@code identity}; decrypt with it.
     *
     * @param identity an age secret key, {@code AGE-SECRET-KEY-1...}
     * @return key encryption
     */
    static Encryption x25519(Secret identity) {
        return new X25519(identity);
    }

    /** No encryption. */
    final class None implements Encryption {
        static final None INSTANCE = new None();

        private None() {
        }

        @Override
        public String scheme() {
            return "none";
        }

        @Override
        public String toString() {
            return "Encryption.none";
        }
    }

    /**
     * age scrypt passphrase encryption.
     *
     * <p>On read, a stored object's header names its own work factor; one demanding more than
     * {@code maxReadWorkFactor} is refused before any memory is allocated, so a tampered header cannot make every
     * object allocate gigabytes. The default accepts the configured factor plus one (a set written on a host
     * configured a little higher); raise it with {@link #acceptingWorkFactorUpTo} to read sets written with a larger
     * one.
     *
     * @param passphrase        the passphrase
     * @param workFactor        log2 of the scrypt cost when writing, 10..22 (memory is 128 × 8 × 2^workFactor bytes)
     * @param maxReadWorkFactor the largest log2 cost accepted when reading, workFactor..22
     */
    record Passphrase(Secret passphrase, int workFactor, int maxReadWorkFactor) implements Encryption {
        /** Validates the passphrase and the work factors. */
        public Passphrase {
            Objects.requireNonNull(passphrase, "passphrase");
            if (workFactor < 10 || workFactor > 22) {
                throw new ConfigurationException("scrypt work factor must be 10..22, was " + workFactor);
            }
            if (maxReadWorkFactor < workFactor || maxReadWorkFactor > 22) {
                throw new ConfigurationException("the largest scrypt work factor accepted on read must be "
                        + workFactor + "..22, was " + maxReadWorkFactor);
            }
        }

        /**
         * Accepts on read the configured work factor plus one.
         *
         * @param passphrase the passphrase
         * @param workFactor log2 of the scrypt cost, 10..22
         */
        public Passphrase(Secret passphrase, int workFactor) {
            this(passphrase, workFactor, Math.min(22, Math.max(10, workFactor) + 1));
        }

        /**
         * @param log2 log2 of the scrypt cost, 10..22
         * @return a copy with that work factor (lower is faster and uses less memory; 18 is age's default), accepting
         *         on read that factor plus one, or what this one accepted if that is more
         */
        public Passphrase withWorkFactor(int log2) {
            return new Passphrase(passphrase, log2, Math.max(Math.min(22, log2 + 1), maxReadWorkFactor));
        }

        /**
         * @param log2 the largest log2 scrypt cost a stored object may demand on read, workFactor..22 (22 allocates
         *             4 GiB per object)
         * @return a copy accepting that
         * @since 0.4.0
         */
        public Passphrase acceptingWorkFactorUpTo(int log2) {
            return new Passphrase(passphrase, workFactor, log2);
        }

        @Override
        public String scheme() {
            return "age-scrypt";
        }

        @Override
        public String toString() {
            return "Encryption.passphrase(workFactor=" + workFactor + ", maxReadWorkFactor=" + maxReadWorkFactor + ")";
        }
    }

    /**
     * age X25519 encryption.
     *
     * @param identity an age secret key, {@code AGE-SECRET-KEY-1...}
     */
    record X25519(Secret identity) implements Encryption {
        /** Validates that the identity looks like an age secret key. */
        public X25519 {
            Objects.requireNonNull(identity, "identity");
            if (!identity.reveal().startsWith("AGE-SECRET-KEY-1")) {
                throw new ConfigurationException("an age identity starts with AGE-SECRET-KEY-1");
            }
        }

        @Override
        public String scheme() {
            return "age-x25519";
        }

        @Override
        public String toString() {
            return "Encryption.x25519(***)";
        }
    }
}
