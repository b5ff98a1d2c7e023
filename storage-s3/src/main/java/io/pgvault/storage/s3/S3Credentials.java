package io.pgvault.storage.s3;

import io.pgvault.api.Secret;

import java.util.Objects;
import java.util.Optional;

/**
 * Where an {@link S3Repository} gets its AWS credentials. Secrets are held as {@link Secret}; {@code toString()} shows
 * at most the access key id, never a secret key or session token.
 *
 * @since 0.1.0
 */
public sealed interface S3Credentials {

    /**
     * @param accessKeyId     access key id
     * @param secretAccessKey secret access key
     * @return fixed credentials
     * @since 0.1.0
     */
    static S3Credentials ofStatic(String accessKeyId, Secret secretAccessKey) {
        return new Static(accessKeyId, secretAccessKey, Optional.empty());
    }

    /**
     * @return credentials read from {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and optionally
     *         {@code AWS_SESSION_TOKEN} when the repository is opened
     * @since 0.1.0
     */
    static S3Credentials environment() {
        return Environment.INSTANCE;
    }

    /**
     * @param name a profile of the shared AWS configuration and credentials files
     * @return credentials of that profile
     * @since 0.1.0
     */
    static S3Credentials profile(String name) {
        return new Profile(name);
    }

    /**
     * @return the AWS SDK's default chain (system properties, environment, web identity, profile, container,
     *         instance metadata)
     * @since 0.1.0
     */
    static S3Credentials defaultChain() {
        return DefaultChain.INSTANCE;
    }

    /**
     * Fixed credentials.
     *
     * @param accessKeyId     access key id; not secret, shown by {@code toString()}
     * @param secretAccessKey secret access key
     * @param sessionToken    session token of temporary credentials, if any
     * @since 0.1.0
     */
    record Static(String accessKeyId, Secret secretAccessKey, Optional<Secret> sessionToken) implements S3Credentials {
        /** Validates the components. */
        public Static {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            sessionToken = sessionToken == null ? Optional.empty() : sessionToken;
        }

        /**
         * @param token session token of temporary credentials
         * @return these credentials with the token
         * @since 0.1.0
         */
        public Static withSessionToken(Secret token) {
            return new Static(accessKeyId, secretAccessKey, Optional.of(token));
        }

        @Override
        public String toString() {
            return "static(" + accessKeyId + ")";
        }
    }

    /**
     * Credentials from the environment variables {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
     * {@code AWS_SESSION_TOKEN}.
     *
     * @since 0.1.0
     */
    enum Environment implements S3Credentials {
        /** The only instance. */
        INSTANCE;

        @Override
        public String toString() {
            return "environment";
        }
    }

    /**
     * Credentials of a named profile of the shared AWS configuration files.
     *
     * @param name profile name
     * @since 0.1.0
     */
    record Profile(String name) implements S3Credentials {
        /** Validates the name. */
        public Profile {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return "profile(" + name + ")";
        }
    }

    /**
     * The AWS SDK's default credentials provider chain.
     *
     * @since 0.1.0
     */
    enum DefaultChain implements S3Credentials {
        /** The only instance. */
        INSTANCE;

        @Override
        public String toString() {
            return "default-chain";
        }
    }
}
