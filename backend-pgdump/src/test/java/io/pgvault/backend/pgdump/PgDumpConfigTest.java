package io.pgvault.backend.pgdump;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.api.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PgDumpConfigTest {
    private static final PgConnection CONN = PgConnection.builder().database("app")
            .password(Secret.of("hunter2-secret")).build();

    @Test
    @DisplayName("defaults: custom format, one job, the connection's database, passfile for the password")
    void defaults() {
        PgDumpConfig c = PgDumpConfig.builder().connection(CONN).build();
        assertThat(c.format()).isEqualTo(DumpFormat.CUSTOM);
        assertThat(c.jobs()).isEqualTo(1);
        assertThat(c.databases()).isEmpty();
        assertThat(c.namedDatabases()).containsExactly("app");
        assertThat(c.allDatabases()).isFalse();
        assertThat(c.includeGlobals()).isFalse();
        assertThat(c.toolTimeout()).isEqualTo(Duration.ofHours(12));
        assertThat(c.passwordTransport()).isEqualTo(PasswordTransport.PASSFILE);
    }

    @Test
    @DisplayName("build() reports every problem at once")
    void everyProblemAtOnce() {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> PgDumpConfig.builder()
                .format(DumpFormat.PLAIN).jobs(4).database(" ").database("x").database("x").allDatabases(true)
                .includeTable("").noRolePasswords(true).toolTimeout(Duration.ZERO).build());
        assertThat(e.problems()).hasSize(8).anySatisfy(p -> assertThat(p).contains("connection is required"))
                .anySatisfy(p -> assertThat(p).contains("directory format"))
                .anySatisfy(p -> assertThat(p).contains("not both"))
                .anySatisfy(p -> assertThat(p).contains("blank"))
                .anySatisfy(p -> assertThat(p).contains("named twice"))
                .anySatisfy(p -> assertThat(p).contains("includeTable"))
                .anySatisfy(p -> assertThat(p).contains("noRolePasswords"))
                .anySatisfy(p -> assertThat(p).contains("toolTimeout"));
    }

    @Test
    @DisplayName("a database name longer than PostgreSQL allows is refused")
    void longName() {
        assertThatThrownBy(() -> PgDumpConfig.builder().connection(CONN).database("é".repeat(32)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("63 bytes");
    }

    @Test
    @DisplayName("jobs > 1 with the directory format is accepted")
    void directoryJobs() {
        PgDumpConfig c = PgDumpConfig.builder().connection(CONN).format(DumpFormat.DIRECTORY).jobs(3).build();
        assertThat(c.jobs()).isEqualTo(3);
    }

    @Test
    @DisplayName("toBuilder() round-trips every setting; the configuration is immutable")
    void toBuilder() {
        PgDumpConfig c = PgDumpConfig.builder().connection(CONN).databases(List.of("a", "b")).schemaOnly(true)
                .includeSchema("s").excludeSchema("x").includeTable("t").excludeTable("u").noOwner(true)
                .noPrivileges(true).includeGlobals(true).noRolePasswords(true)
                .passwordTransport(PasswordTransport.ENVIRONMENT).build();
        PgDumpConfig copy = c.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(c.toString());
        assertThat(copy.databases()).containsExactly("a", "b");
        assertThat(copy.passwordTransport()).isEqualTo(PasswordTransport.ENVIRONMENT);
        assertThatThrownBy(() -> c.databases().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("toString() never shows the password")
    void noSecretInToString() {
        PgDumpConfig c = PgDumpConfig.builder().connection(CONN).build();
        assertThat(c.toString()).doesNotContain("hunter2").contains("app");
        assertThat(new PgDumpStrategy(c).toString()).doesNotContain("hunter2");
    }
}
