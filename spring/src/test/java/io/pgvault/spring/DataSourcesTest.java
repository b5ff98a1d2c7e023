package io.pgvault.spring;

import io.pgvault.config.PgVaultSettings.Database;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

class DataSourcesTest {
    private static Database db(String host, int port, String name) {
        return new Database(host, port, "postgres", name, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    @Test
    @DisplayName("the application's DataSource carries the locks only when it names the same host, port and database")
    void sameDatabase() {
        assertThat(DataSources.sameDatabase("jdbc:postgresql://127.0.0.1:6432/app?ssl=true", db("localhost", 6432,
                "app"))).isTrue();
        assertThat(DataSources.sameDatabase("jdbc:postgresql://db/app", db("db", 5432, "app"))).isTrue();
        assertThat(DataSources.sameDatabase("jdbc:postgresql://db/app", db("db", 5432, "other"))).isFalse();
        assertThat(DataSources.sameDatabase("jdbc:postgresql://db:5433/app", db("db", 5432, "app"))).isFalse();
        assertThat(DataSources.sameDatabase("jdbc:postgresql://a,b/app", db("a", 5432, "app"))).isFalse();
        assertThat(DataSources.sameDatabase("jdbc:h2:mem:x", db("a", 5432, "x"))).isFalse();
        assertThat(DataSources.sameDatabase(null, db("a", 5432, "x"))).isFalse();
    }

    @Test
    @DisplayName("the URL is spring.datasource.url when set, else what the DataSource's driver reports (a pool from "
            + "Testcontainers or Docker Compose details has no property); a DataSource that cannot connect: none")
    void urlOf() {
        DataSource reporting = dataSource("jdbc:postgresql://db:5433/app", false);
        assertThat(DataSources.urlOf(reporting, "jdbc:postgresql://other/app")).isEqualTo("jdbc:postgresql://other/app");
        assertThat(DataSources.urlOf(reporting, null)).isEqualTo("jdbc:postgresql://db:5433/app");
        assertThat(DataSources.sameDatabase(DataSources.urlOf(reporting, null), db("db", 5433, "app"))).isTrue();
        assertThat(DataSources.urlOf(dataSource("jdbc:postgresql://db/app", true), null)).isNull();
    }

    /** A DataSource whose connections report {@code url}, or which cannot connect. */
    private static DataSource dataSource(String url, boolean down) {
        DatabaseMetaData meta = (DatabaseMetaData) Proxy.newProxyInstance(DataSourcesTest.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (p, m, a) -> m.getName().equals("getURL") ? url : null);
        Connection connection = (Connection) Proxy.newProxyInstance(DataSourcesTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (p, m, a) -> m.getName().equals("getMetaData") ? meta : null);
        return (DataSource) Proxy.newProxyInstance(DataSourcesTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (p, m, a) -> {
                    if (m.getName().equals("getConnection")) {
                        if (down) {
                            throw new SQLException("connection refused");
                        }
                        return connection;
                    }
                    return null;
                });
    }
}
