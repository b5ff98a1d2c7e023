package io.pgvault.storage.s3;

import io.pgvault.spi.Repository;
import io.pgvault.testkit.RepositoryContract;
import io.pgvault.testkit.s3.TlsS3Server;
import io.pgvault.testkit.s3.TlsS3ServerFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Collection;
import java.util.List;

@DisplayName("S3Repository passes the Repository contract over HTTPS, trusting the server through caFile")
class S3RepositoryTlsContractTest extends RepositoryContract {
    @RegisterExtension
    static final TlsS3ServerFixture S3 = TlsS3ServerFixture.create();

    @Override
    protected Repository newRepository() {
        TlsS3Server server = S3.server();
        return S3Repository.of(S3RepositoryTlsTest.config(server, TlsS3Server.uniqueBucket("tls-contract"))
                .prefix("pg/main").createBucket(true).build());
    }

    @Override
    protected long largeObjectBytes() {
        // S3RepositoryContractTest streams 2 GiB over HTTP; over TLS a few parts show the same path encrypted
        return Long.getLong(LARGE_BYTES_PROPERTY, 64L * 1024 * 1024 + 12_345);
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(S3.server().secretKey().reveal());
    }
}
