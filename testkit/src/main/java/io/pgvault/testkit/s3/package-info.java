/**
 * Real S3 servers for tests: {@link io.pgvault.testkit.s3.S3ProxyServer} over plain HTTP and
 * {@link io.pgvault.testkit.s3.TlsS3Server} over HTTPS (S3Proxy in-process, with a certificate generated at start),
 * and {@link io.pgvault.testkit.s3.S3ProxyFixture} / {@link io.pgvault.testkit.s3.TlsS3ServerFixture} to share one
 * per test class. Needs {@code org.gaul:s3proxy} on the class path, an optional dependency of the testkit.
 *
 * @since 0.1.0
 */
package io.pgvault.testkit.s3;
