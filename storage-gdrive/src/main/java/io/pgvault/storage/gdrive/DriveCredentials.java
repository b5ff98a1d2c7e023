package io.pgvault.storage.gdrive;

import io.pgvault.api.Secret;

import java.net.URI;
import java.util.Objects;

/**
 * The credentials a {@link GoogleDriveRepository} signs in with. Secrets are held as {@link Secret};
 * {@code toString()} shows at most the OAuth client id, never a key, secret or token.
 *
 * @since 0.1.0
 */
public sealed interface DriveCredentials {
    /**
     * Google's OAuth 2.0 token endpoint.
     *
     * @since 0.1.0
     */
    URI GOOGLE_TOKEN_URI = URI.create("https://oauth2.googleapis.com/token");

    /**
     * @param jsonKey the JSON key file of a service account (its {@code token_uri} is where tokens come from); share
     *                the folder or shared drive with the account's e-mail address
     * @return service-account credentials
     * @since 0.1.0
     */
    static DriveCredentials serviceAccount(Secret jsonKey) {
        return new ServiceAccount(jsonKey);
    }

    /**
     * @param clientId     the OAuth client id (not secret)
     * @param clientSecret the OAuth client secret
     * @param refreshToken a refresh token granted to that client for a Drive scope
     * @return credentials acting as the user who granted the token
     * @since 0.1.0
     */
    static DriveCredentials oauth(String clientId, Secret clientSecret, Secret refreshToken) {
        return new OAuth(clientId, clientSecret, refreshToken, GOOGLE_TOKEN_URI);
    }

    /**
     * A service account's JSON key.
     *
     * @param jsonKey the key file's content
     * @since 0.1.0
     */
    record ServiceAccount(Secret jsonKey) implements DriveCredentials {
        /** Validates the component. */
        public ServiceAccount {
            Objects.requireNonNull(jsonKey, "jsonKey");
        }

        @Override
        public String toString() {
            return "serviceAccount(***)";
        }
    }

    /**
     * An OAuth client and a user's refresh token.
     *
     * @param clientId     OAuth client id
     * @param clientSecret OAuth client secret
     * @param refreshToken refresh token
     * @param tokenUri     token endpoint
     * @since 0.1.0
     */
    record OAuth(String clientId, Secret clientSecret, Secret refreshToken, URI tokenUri) implements DriveCredentials {
        /** Validates the components. */
        public OAuth {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            Objects.requireNonNull(refreshToken, "refreshToken");
            Objects.requireNonNull(tokenUri, "tokenUri");
        }

        /**
         * @param uri another token endpoint (a proxy, or a test double). Default {@link #GOOGLE_TOKEN_URI}
         * @return these credentials with that endpoint
         * @since 0.1.0
         */
        public OAuth withTokenUri(URI uri) {
            return new OAuth(clientId, clientSecret, refreshToken, uri);
        }

        @Override
        public String toString() {
            return "oauth(" + clientId + ")";
        }
    }
}
