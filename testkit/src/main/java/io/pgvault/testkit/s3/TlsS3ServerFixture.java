package io.pgvault.testkit.s3;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A JUnit 5 extension that gives tests a {@link TlsS3Server}. In a {@code static} field one server runs from before
 * the first test of the class (nested classes included) to after the last; in an instance field each test gets its
 * own:
 *
 * <pre>{@code
 * class MyIT {
 *     @RegisterExtension
 *     static TlsS3ServerFixture s3 = TlsS3ServerFixture.create();
 *
 *     @Test
 *     void works() {
 *         String bucket = TlsS3Server.uniqueBucket("backups");
 *         s3.server().createBucket(bucket);
 *     }
 * }
 * }</pre>
 *
 * <p>Test methods may also declare a {@link TlsS3Server} parameter. A test that {@linkplain TlsS3Server#stop() stops}
 * the shared server should {@linkplain TlsS3Server#restart() restart} it when done.
 *
 * @since 0.1.0
 */
public final class TlsS3ServerFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private final Consumer<TlsS3Server.Builder> customizer;
    private volatile TlsS3Server server;
    private volatile boolean perTest;
    /** The class whose callbacks started the server; nested classes must not close it. */
    private volatile String ownerId;

    private TlsS3ServerFixture(Consumer<TlsS3Server.Builder> customizer) {
        this.customizer = Objects.requireNonNull(customizer, "customizer");
    }

    /**
     * @return a fixture with the default server settings
     * @since 0.1.0
     */
    public static TlsS3ServerFixture create() {
        return new TlsS3ServerFixture(b -> { });
    }

    /**
     * @param customizer adjusts the server's settings, e.g. {@code b -> b.inMemory(true)}
     * @return a fixture whose server is built with those settings
     * @since 0.1.0
     */
    public static TlsS3ServerFixture create(Consumer<TlsS3Server.Builder> customizer) {
        return new TlsS3ServerFixture(customizer);
    }

    /**
     * @return the server
     * @throws IllegalStateException outside a test or before the fixture started
     * @since 0.1.0
     */
    public TlsS3Server server() {
        TlsS3Server s = server;
        if (s == null) {
            throw new IllegalStateException("no S3 server: register TlsS3ServerFixture with @RegisterExtension and "
                    + "use it from within a test");
        }
        return s;
    }

    /**
     * Starts the shared server of a test class.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (server == null) {
            startServer();
            ownerId = context.getUniqueId();
        }
    }

    /**
     * Closes the shared server of a test class.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerId)) {
            closeServer();
        }
    }

    /**
     * Starts a server for this test, unless the class shares one.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        if (server == null) {
            startServer();
            perTest = true;
        }
    }

    /**
     * Closes this test's own server, if it had one.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (perTest) {
            closeServer();
        }
    }

    /**
     * @return whether the parameter is a {@link TlsS3Server}
     * @since 0.1.0
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TlsS3Server.class;
    }

    /**
     * @return the server
     * @since 0.1.0
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }

    private void startServer() {
        TlsS3Server.Builder builder = TlsS3Server.builder();
        customizer.accept(builder);
        server = builder.start();
    }

    private void closeServer() {
        TlsS3Server s = server;
        server = null;
        perTest = false;
        ownerId = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String toString() {
        TlsS3Server s = server;
        return "TlsS3ServerFixture[" + (s == null ? "not started" : s) + "]";
    }
}
