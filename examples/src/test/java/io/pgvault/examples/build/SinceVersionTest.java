package io.pgvault.examples.build;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No javadoc promises an API from a release newer than the one being built: every {@code @since} in every module's
 * sources is at most the project version of the root pom (a {@code -SNAPSHOT} of 0.6.0 may say {@code @since 0.6.0}).
 */
class SinceVersionTest {
    private static final Pattern SINCE = Pattern.compile("@since\\s+v?(\\d+(?:\\.\\d+)*)");

    @Test
    @DisplayName("no @since in the sources is newer than the project version")
    void noSinceAfterTheProjectVersion() {
        String version = ProjectFiles.projectVersion();
        List<String> newer = new ArrayList<>();
        int seen = 0;
        for (Path file : ProjectFiles.javaSources()) {
            String[] lines = ProjectFiles.read(file).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher m = SINCE.matcher(lines[i]);
                while (m.find()) {
                    seen++;
                    if (ProjectFiles.compare(m.group(1), version) > 0) {
                        newer.add(ProjectFiles.root().relativize(file) + ":" + (i + 1) + ": @since " + m.group(1));
                    }
                }
            }
        }
        assertThat(seen).as("@since tags read").isGreaterThan(500);
        assertThat(newer).as("@since newer than the project version %s", version).isEmpty();
    }

    @Test
    @DisplayName("versions compare by their numbers, qualifiers dropped")
    void comparison() {
        assertThat(ProjectFiles.compare("0.6.0", "0.6.0-SNAPSHOT")).isZero();
        assertThat(ProjectFiles.compare("0.5.0", "0.6.0-SNAPSHOT")).isNegative();
        assertThat(ProjectFiles.compare("0.10", "0.6.0-SNAPSHOT")).isPositive();
        assertThat(ProjectFiles.compare("1", "0.9.9")).isPositive();
    }
}
