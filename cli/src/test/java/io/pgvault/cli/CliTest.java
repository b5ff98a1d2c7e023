package io.pgvault.cli;

import io.pgvault.config.ConfigSources;
import io.pgvault.config.SettingsBinder;
import io.pgvault.config.VaultAssembly;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command's surface, in process: help everywhere, usage errors, the key it generates. */
class CliTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PgVaultCli.run(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    @DisplayName("every subcommand answers --help with exit 0, examples included")
    void helpEverywhere() {
        for (List<String> sub : List.of(List.of("list"), List.of("show"), List.of("backup"), List.of("verify"),
                List.of("restore"), List.of("prune"), List.of("sync"), List.of("placement"), List.of("drill"),
                List.of("health"), List.of("stanza"), List.of("stanza", "create"), List.of("keys"),
                List.of("keys", "generate"))) {
            String[] args = java.util.stream.Stream.concat(sub.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
            assertThat(r.out()).as(String.join(" ", sub)).contains("Usage: pgvault " + String.join(" ", sub));
        }
        assertThat(run("restore", "--help").out()).contains("Examples:", "--target-time", "--drop-existing",
                "--repo-target-time");
    }

    @Test
    @DisplayName("usage errors exit 2; a missing configuration file exits 2 naming it")
    void usage() {
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("restore", "--target-time", "yesterday").code()).isEqualTo(2);
        assertThat(run("restore", "--physical", "--repo-target-time", "last-week").code()).isEqualTo(2);
        Run missing = run("list", "-c", dir.resolve("nope.yml").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no configuration file at " + dir.resolve("nope.yml"));
    }

    @Test
    @DisplayName("keys generate writes a 0600 identity, refuses to overwrite, and the file is usable as "
            + "pipeline.identity as written (comment lines and all)")
    void keysGenerate() throws Exception {
        Path key = dir.resolve("age.key");
        Run r = run("keys", "generate", "--out", key.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("public recipient: age1").doesNotContain("AGE-SECRET-KEY-1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(run("keys", "generate", "--out", key.toString()).code()).isEqualTo(2);

        Path yml = dir.resolve("pgvault.yml");
        Files.writeString(yml, "pgvault:\n  database: {host: 127.0.0.1}\n  dump: {format: custom}\n"
                + "  repository: {local: {path: " + dir.resolve("repo") + "}}\n"
                + "  pipeline: {identity: \"file:" + key + "\"}\n");
        try (VaultAssembly a = VaultAssembly.builder(SettingsBinder.bind(ConfigSources.load(yml, Map.of())))
                .build()) {
            assertThat(a.vault()).isPresent();
        }
    }
}
