package io.pgvault.spring;

import io.pgvault.config.PgVaultSettings.Database;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Optional;

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
}
