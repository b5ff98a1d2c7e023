package io.pgvault.testkit;

import io.pgvault.api.PgConnection;
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
 * A JUnit 5 extension that gives tests a throwaway {@link PostgresCluster}.
 *
 * <p>In a {@code static} field it starts one cluster before the first test of the class and removes it after the
 * last; in an instance field each test gets its own cluster:
 *
 * <pre>{@code
 * class MyIT {
 *     @RegisterExtension
 *     static PostgresFixture pg = PostgresFixture.create();
 *
 *     @Test
 *     void works() {
 *         pg.cluster().createDatabase("shop");
 *         PgConnection conn = pg.connection("shop");
 *     }
 * }
 * }</pre>
 *
 * <p>Test methods may also declare a {@link PostgresCluster} parameter. When the PostgreSQL server binaries are
 * missing the tests <em>fail</em> (they are not skipped) with a message naming {@code apt-get install -y postgresql-15}.
 *
 * @since 0.1.0
 */
public final class PostgresFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private final Consumer<PostgresCluster.Builder> customizer;
    private volatile PostgresCluster cluster;
    private volatile boolean perTest;
    /** The class (or test) whose callbacks started the cluster; nested classes must not close it. */
    private volatile String ownerId;

    private PostgresFixture(Consumer<PostgresCluster.Builder> customizer) {
        this.customizer = Objects.requireNonNull(customizer, "customizer");
    }

    /**
     * @return a fixture with the default cluster settings
     * @since 0.1.0
     */
    public static PostgresFixture create() {
        return new PostgresFixture(b -> { });
    }

    /**
     * @param customizer adjusts the cluster's settings, e.g. {@code b -> b.conf("wal_level = replica")}
     * @return a fixture whose cluster is built with those settings
     * @since 0.1.0
     */
    public static PostgresFixture create(Consumer<PostgresCluster.Builder> customizer) {
        return new PostgresFixture(customizer);
    }

    /**
     * @return the running cluster
     * @throws IllegalStateException outside a test or before the fixture started
     * @since 0.1.0
     */
    public PostgresCluster cluster() {
        PostgresCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException("no cluster: register PostgresFixture with @RegisterExtension and use it "
                    + "from within a test");
        }
        return c;
    }

    /**
     * @return a connection to database {@code postgres} of the cluster
     * @since 0.1.0
     */
    public PgConnection connection() {
        return cluster().connection();
    }

    /**
     * @param database a database of the cluster
     * @return a connection to it
     * @since 0.1.0
     */
    public PgConnection connection(String database) {
        return cluster().connection(database);
    }

    /**
     * Starts the shared cluster of a test class.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (cluster == null) {
            startCluster();
            ownerId = context.getUniqueId();
        }
    }

    /**
     * Removes the shared cluster of a test class.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerId)) {
            closeCluster();
        }
    }

    /**
     * Starts a cluster for this test, unless the class shares one.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        if (cluster == null) {
            startCluster();
            perTest = true;
        }
    }

    /**
     * Removes this test's own cluster, if it had one.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (perTest) {
            closeCluster();
        }
    }

    /**
     * @return whether the parameter is a {@link PostgresCluster}
     * @since 0.1.0
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PostgresCluster.class;
    }

    /**
     * @return the running cluster
     * @since 0.1.0
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster();
    }

    /** Starts the cluster now; what the callbacks do, for use outside JUnit's lifecycle. */
    synchronized void startCluster() {
        if (cluster == null) {
            PostgresCluster.Builder builder = PostgresCluster.builder();
            customizer.accept(builder);
            cluster = builder.start();
        }
    }

    private synchronized void closeCluster() {
        PostgresCluster c = cluster;
        cluster = null;
        perTest = false;
        ownerId = null;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        PostgresCluster c = cluster;
        return "PostgresFixture[" + (c == null ? "not started" : c) + "]";
    }
}
