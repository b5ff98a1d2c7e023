package io.pgvault.spring.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.time.Clock;

/**
 * A Spring Boot service that owns its database's backups with nothing but the starter and {@code application.yml}:
 * the test application of {@code PgVaultStarterIT}. Its only bean is the clock, which the test moves.
 */
@SpringBootApplication
public class BackupServiceApplication {
    /** The clock every instance started by the test shares. */
    public static volatile Clock clock = Clock.systemUTC();

    /** @return the time source pgvault picks up */
    @Bean
    Clock clock() {
        return new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return clock.getZone();
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return clock.withZone(zone);
            }

            @Override
            public java.time.Instant instant() {
                return clock.instant();
            }
        };
    }

    /** @param args Spring Boot's arguments */
    public static void main(String[] args) {
        SpringApplication.run(BackupServiceApplication.class, args);
    }
}
