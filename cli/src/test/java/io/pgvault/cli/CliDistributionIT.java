package io.pgvault.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The self-contained distribution: unpacked anywhere, bin/pgvault runs with nothing but a JDK. */
class CliDistributionIT {
    @TempDir
    Path dir;

    private String run(Path launcher, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().keySet().removeIf(k -> k.startsWith("PGVAULT_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    @DisplayName("the tar.gz unpacks to bin/pgvault and lib/, and runs from there: --version, list")
    void unpacksAndRuns() throws Exception {
        Path tarball;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            tarball = files.filter(p -> p.getFileName().toString().endsWith("-bin.tar.gz")).findFirst().orElseThrow();
        }
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString())
                .inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        Path home;
        try (Stream<Path> files = Files.list(dir)) {
            home = files.filter(p -> p.getFileName().toString().startsWith("pgvault-")).findFirst().orElseThrow();
        }
        Path launcher = home.resolve("bin/pgvault");
        assertThat(Files.isExecutable(launcher)).isTrue();
        assertThat(run(launcher, "--version")).startsWith("pgvault ").doesNotContain("development build");
        Files.writeString(dir.resolve("pgvault.yml"), "pgvault:\n  database: {host: 127.0.0.1}\n"
                + "  dump: {format: custom}\n  repository: {local: {path: " + dir.resolve("repo") + "}}\n");
        assertThat(run(launcher, "list")).contains("SET", "AUTHENTICITY");
    }
}
