package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Maps an {@link S3RepositoryConfig} to pgBackRest's {@code repoN-s3-*} settings. Only loaded when an s3 repo is
 * configured, so hosts without storage-s3 on the class path never touch it.
 */
final class S3Mapping {
    private static final java.util.Set<String> LOOPBACK = java.util.Set.of("127.0.0.1", "[::1]", "::1");

    private S3Mapping() {
    }

    static PgBackRestRepo.Builder builder(S3RepositoryConfig c) {
        List<String> problems = new ArrayList<>();
        String host;
        OptionalInt port = OptionalInt.empty();
        if (c.endpoint().isPresent()) {
            URI uri = c.endpoint().get();
            if (!"https".equals(uri.getScheme())) {
                problems.add("pgBackRest talks to S3 over TLS only: the endpoint must be https://, was " + uri);
            }
            host = uri.getHost();
            if (LOOPBACK.contains(host)) {
                // pgBackRest 2.45 does not match IP addresses in certificates' subject alternative names
                host = "localhost";
            }
            if (uri.getPort() > 0) {
                port = OptionalInt.of(uri.getPort());
            }
        } else {
            host = "s3." + c.region() + ".amazonaws.com";
        }
        PgBackRestRepo.S3KeyType keyType = PgBackRestRepo.S3KeyType.SHARED;
        Optional<Secret> key = Optional.empty();
        Optional<Secret> keySecret = Optional.empty();
        Optional<Secret> token = Optional.empty();
        S3Credentials creds = c.credentials();
        if (creds instanceof S3Credentials.Static s) {
            key = Optional.of(Secret.of(s.accessKeyId()));
            keySecret = Optional.of(s.secretAccessKey());
            token = s.sessionToken();
        } else if (creds instanceof S3Credentials.Environment) {
            key = Secret.fromEnv("AWS_ACCESS_KEY_ID");
            keySecret = Secret.fromEnv("AWS_SECRET_ACCESS_KEY");
            token = Secret.fromEnv("AWS_SESSION_TOKEN");
            if (key.isEmpty() || keySecret.isEmpty()) {
                problems.add("S3 credentials come from the environment, but AWS_ACCESS_KEY_ID or "
                        + "AWS_SECRET_ACCESS_KEY is not set");
            }
        } else if (creds instanceof S3Credentials.DefaultChain) {
            keyType = PgBackRestRepo.S3KeyType.AUTO;
        } else {
            problems.add("pgBackRest cannot read AWS profile credentials (" + creds + "): use static credentials, "
                    + "the environment, or the default chain (instance role, repo-s3-key-type=auto)");
        }
        ConfigurationException.throwIfAny(problems);
        String prefix = c.prefix();
        String path = "/" + (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        PgBackRestRepo.S3 s3 = new PgBackRestRepo.S3(c.bucket(), c.region(), host, port, c.pathStyle(),
                c.caFile(), c.verifyTls(), keyType, key, keySecret, token);
        return PgBackRestRepo.s3(s3, path);
    }
}
