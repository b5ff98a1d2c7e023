package io.pgvault.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * {@code EmbedInYourService} the Spring Boot way: the service's own database backed up nightly into a local directory
 * and an S3 bucket, once across all replicas, drilled monthly, with {@code /actuator/health/pgvault} and
 * {@code pgvault_*} meters in {@code /actuator/prometheus} — from {@code application.yml} alone
 * ({@code src/main/resources/application.yml}; every property: docs/configuration.md, Declarative configuration).
 *
 * <pre>
 * PGPASSWORD=... java -jar service.jar     # the age key is a mounted secret: /run/secrets/pgvault-age-key
 * curl localhost:8080/actuator/health/pgvault
 * </pre>
 *
 * Anything the starter creates can be replaced by a bean of your own ({@code PgVault}, {@code VaultAssembly},
 * {@code Scheduler}, ...); {@code pgvault.enabled=false} turns it off.
 *
 * @since 0.6.0
 */
@SpringBootApplication
public class EmbedInYourSpringService {
    /** @param args Spring Boot's arguments */
    public static void main(String[] args) {
        SpringApplication.run(EmbedInYourSpringService.class, args);
    }
}
