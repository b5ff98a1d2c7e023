package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Encryption;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.storage.s3.S3StorageClass;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * Maps an {@link S3RepositoryConfig} to pgBackRest's {@code repoN-s3-*} settings. Only loaded when an s3 repo is
 * configured, so hosts without storage-s3 on the class path never touch it. A setting pgBackRest cannot express is
 * refused, never dropped: objects written differently from what the configuration says are a surprise found late.
 */
final class S3Mapping {
    private static final java.util.Set<String> LOOPBACK = java.util.Set.of("127.0.0.1", "[::1]", "::1");

    private S3Mapping() {
    }

    static PgBackRestRepo.Builder builder(S3RepositoryConfig c) {
        return builder(c, System::getenv);
    }

    /**
     * @param c   the S3 repository's settings
     * @param env the environment the default credential chain is resolved in (a parameter for tests)
     */
    static PgBackRestRepo.Builder builder(S3RepositoryConfig c, UnaryOperator<String> env) {
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
            // The SDK's chain prefers a web identity token (EKS/IRSA) to instance metadata; pgBackRest takes one
            // source, so pick the one the SDK would, as far as pgBackRest has it.
            keyType = webIdentity(env) ? PgBackRestRepo.S3KeyType.WEB_ID : PgBackRestRepo.S3KeyType.AUTO;
        } else {
            problems.add("pgBackRest cannot read AWS profile credentials (" + creds + "): use static credentials, "
                    + "the environment, or the default chain (a web identity token, repo-s3-key-type=web-id, or the "
                    + "instance role, repo-s3-key-type=auto)");
        }
        Optional<String> kmsKeyId = encryption(c.encryption(), problems);
        if (c.storageClass() != S3StorageClass.STANDARD) {
            problems.add("pgBackRest writes every object in the bucket's default storage class: no released version "
                    + "has a storage-class option, so storage class " + c.storageClass() + " cannot be mapped; use a "
                    + "lifecycle rule on the bucket (prefix " + c.prefix() + ") and map the config with "
                    + "storageClass(STANDARD)");
        }
        ConfigurationException.throwIfAny(problems);
        String prefix = c.prefix();
        String path = "/" + (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        PgBackRestRepo.S3 s3 = new PgBackRestRepo.S3(c.bucket(), c.region(), host, port, c.pathStyle(),
                c.caFile(), c.verifyTls(), keyType, key, keySecret, token, kmsKeyId);
        return PgBackRestRepo.s3(s3, path);
    }

    /** @return whether the environment names a web identity token and role, as on EKS with IRSA */
    static boolean webIdentity(UnaryOperator<String> env) {
        return Cli.WEB_IDENTITY_ENV.stream().map(env).allMatch(v -> v != null && !v.isBlank());
    }

    /** @return the KMS key of SSE-KMS; adds a problem for encryption pgBackRest cannot ask for */
    private static Optional<String> encryption(S3Encryption e, List<String> problems) {
        if (e.mode() == S3Encryption.Mode.SSE_S3) {
            problems.add("pgBackRest cannot ask for SSE-S3 (AES256): it sends no encryption header but SSE-KMS's; "
                    + "rely on the bucket's default encryption (AWS applies SSE-S3 to every new object) with "
                    + "S3Encryption.NONE, or use SSE-KMS with a key id");
        } else if (e.mode() == S3Encryption.Mode.SSE_KMS && e.kmsKeyId().isEmpty()) {
            problems.add("pgBackRest asks for SSE-KMS only with a named key (repo-s3-kms-key-id): give the key id or "
                    + "ARN, or leave encryption to the bucket's default (S3Encryption.NONE)");
        }
        return e.kmsKeyId();
    }
}
