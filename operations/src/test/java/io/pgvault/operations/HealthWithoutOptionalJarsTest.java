package io.pgvault.operations;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host that wants only health and metrics does not get the PostgreSQL JDBC driver or cron-utils from
 * {@code pgvault-operations} (both optional in its pom), and works without them: {@link HealthOnlyHost} runs in a
 * class loader built from this test's class path minus those jars and the backends. The features that need them
 * refuse with a message naming the artifact instead of a {@code NoClassDefFoundError}.
 */
class HealthWithoutOptionalJarsTest {
    private static final List<String> LEFT_OUT = List.of("/postgresql-", "/cron-utils-", "backend-pgbackrest",
            "backend-pgdump");

    @Test
    @DisplayName("health, its JSON and metrics work without JDBC, cron-utils and the backends; cron and JDBC say what is missing")
    void healthOnlyHost() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (LEFT_OUT.stream().anyMatch(normalized::contains)) {
                dropped.add(normalized);
            } else if (!entry.isBlank()) {
                urls.add(toUrl(entry));
            }
        }
        assertThat(dropped).as("entries left out of " + classPath).anyMatch(e -> e.contains("/postgresql-"))
                .anyMatch(e -> e.contains("/cron-utils-"));
        String report;
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            Class<?> host = Class.forName(HealthOnlyHost.class.getName(), true, loader);
            assertThat(host.getClassLoader()).isSameAs(loader);
            @SuppressWarnings("unchecked")
            Supplier<String> run = (Supplier<String>) host.getDeclaredConstructor().newInstance();
            report = run.get();
        }
        assertThat(report).contains("absent org.postgresql.Driver", "absent com.cronutils.parser.CronParser",
                "absent io.pgvault.backend.pgbackrest.PgBackRest", "absent io.pgvault.backend.pgdump.PgDumpStrategy",
                "health OK", "json true", "metrics bound",
                "cron refused", "jdbc refused", "job nightly: cron schedules (Job.builder().cron, CronSchedule.parse) needs "
                        + "com.cronutils:cron-utils on the class path",
                "ConnectionSource.of(PgConnection) needs org.postgresql:postgresql on the class path");
    }

    @Test
    @DisplayName("the poms declare the JDBC driver and cron-utils optional in operations, storage-local optional in the pgBackRest backend")
    void pomsDeclareThemOptional() throws Exception {
        String operations = Files.readString(Path.of("pom.xml"));
        assertThat(dependency(operations, "org.postgresql", "postgresql")).contains("<optional>true</optional>");
        assertThat(dependency(operations, "com.cronutils", "cron-utils")).contains("<optional>true</optional>");
        String pgbackrest = Files.readString(Path.of("../backend-pgbackrest/pom.xml"));
        assertThat(dependency(pgbackrest, "io.pgvault", "pgvault-storage-local")).contains("<optional>true</optional>");
    }

    private static String dependency(String pom, String group, String artifact) {
        Matcher m = Pattern.compile("<dependency>(?:(?!</dependency>).)*<groupId>" + Pattern.quote(group)
                + "</groupId>\\s*<artifactId>" + Pattern.quote(artifact) + "</artifactId>.*?</dependency>",
                Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).as(group + ":" + artifact + " in the pom").isTrue();
        return m.group();
    }

    private static URL toUrl(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(entry, e);
        }
    }
}
