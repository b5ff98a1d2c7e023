/**
 * A real S3 server for tests that speaks HTTPS: {@link io.pgvault.testkit.s3.TlsS3Server} (S3Proxy in-process with a
 * certificate generated at start) and {@link io.pgvault.testkit.s3.TlsS3ServerFixture} to share one per test class.
 * Needs {@code org.gaul:s3proxy} on the class path, an optional dependency of the testkit.
 *
 * @since 0.1.0
 */
package io.pgvault.testkit.s3;
