package io.pgvault.testkit.s3;

import io.pgvault.api.Secret;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A JUnit 5 extension that runs one plain-HTTP {@link S3ProxyServer} for a test class, from before its first test
 * (nested classes included) to after its last. Register it in a {@code static} field:
 *
 * <pre>{@code
 * class MyTest {
 *     @RegisterExtension
 *     static final S3ProxyFixture S3 = S3ProxyFixture.create();
 *
 *     @Test
 *     void works() {
 *         String bucket = S3ProxyServer.uniqueBucket("backups");
 *         URI endpoint = S3.server().endpoint();
 *     }
 * }
 * }</pre>
 *
 * @since 0.2.0
 */
public final class S3ProxyFixture implements BeforeAllCallback, AfterAllCallback {
    private final Supplier<S3ProxyServer> starter;
    private volatile S3ProxyServer server;
    /** The class whose callbacks started the server; nested classes must not close it. */
    private volatile String ownerId;

    private S3ProxyFixture(Supplier<S3ProxyServer> starter) {
        this.starter = starter;
    }

    /**
     * @return a fixture whose server accepts {@link S3ProxyServer#DEFAULT_ACCESS_KEY} and a fixed test secret
     * @since 0.2.0
     */
    public static S3ProxyFixture create() {
        return new S3ProxyFixture(S3ProxyServer::start);
    }

    /**
     * @param accessKey the access key id the server accepts
     * @param secretKey its secret
     * @return a fixture whose server accepts that key pair
     * @since 0.2.0
     */
    public static S3ProxyFixture create(String accessKey, Secret secretKey) {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        return new S3ProxyFixture(() -> S3ProxyServer.start(accessKey, secretKey));
    }

    /**
     * @return the running server
     * @throws IllegalStateException before the test class started or after it finished
     * @since 0.2.0
     */
    public S3ProxyServer server() {
        S3ProxyServer s = server;
        if (s == null) {
            throw new IllegalStateException("no S3 server: register S3ProxyFixture in a static @RegisterExtension "
                    + "field and use it from within a test");
        }
        return s;
    }

    /**
     * Starts the server of a test class.
     *
     * @since 0.2.0
     */
    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (server == null) {
            server = starter.get();
            ownerId = context.getUniqueId();
        }
    }

    /**
     * Stops the server of a test class and deletes what it stored.
     *
     * @since 0.2.0
     */
    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerId)) {
            S3ProxyServer s = server;
            server = null;
            ownerId = null;
            s.close();
        }
    }

    @Override
    public String toString() {
        S3ProxyServer s = server;
        return "S3ProxyFixture[" + (s == null ? "not started" : s) + "]";
    }
}
