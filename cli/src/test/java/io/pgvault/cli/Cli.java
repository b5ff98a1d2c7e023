package io.pgvault.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the built command as a subprocess, from its distribution (the jar and its lib/), as an operator would. */
final class Cli {
    private Cli() {
    }

    /** @param code exit code @param out standard output @param err standard error */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    static Path jar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("pgvault-cli-[0-9.]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no target/pgvault-cli-*.jar: the ITs "
                            + "run after package"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Process start(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar().toAbsolutePath()
                .toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PGVAULT_"));
        pb.environment().putAll(env);
        pb.redirectOutput(workDir.resolve("out.txt").toFile()).redirectError(workDir.resolve("err.txt").toFile());
        return pb.start();
    }

    /**
     * A {@code pgvault.yml} for a pgBackRest stanza of a testkit cluster, pgBackRest running as the server's user.
     *
     * @param stanza  the stanza
     * @param base    the fixture's directory (config and work directories go under it, named after {@code conf})
     * @param conf    a name for this configuration's own files
     * @param pg      the cluster (its OS user, socket and binaries)
     * @param dataDir pg1-path
     * @param port    pg1-port
     * @param repo    the one posix repo
     * @param cipher  its cipher passphrase file, or null for none
     * @param inside  more lines of the pgbackrest section (indented 4), e.g. a mirror
     * @param after   more top-level sections (indented 2), e.g. drill
     * @return the YAML
     */
    static String pgbackrestYaml(String stanza, Path base, String conf, io.pgvault.testkit.PostgresCluster pg,
            Path dataDir, int port, Path repo, Path cipher, String inside, String after) {
        return "pgvault:\n  pgbackrest:\n    stanza: " + stanza + "\n    config-file: " + base.resolve(conf
                + "/pgbackrest.conf") + "\n    work-directory: " + base.resolve(conf + "-work") + "\n    run-as: "
                + pg.osUser().orElseThrow() + "\n    data-directory: " + dataDir + "\n    port: " + port
                + "\n    socket-directory: " + pg.socketDirectory() + "\n    bin-dir: " + pg.binDir()
                + "\n    archive-timeout: 30s\n    repos:\n      - path: " + repo + "\n"
                + (cipher == null ? "" : "        cipher: \"file:" + cipher + "\"\n") + inside + after;
    }

    static Result run(Path workDir, Map<String, String> env, String... args) {
        try {
            Process p = start(workDir, env, args);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("pgvault " + String.join(" ", args) + " did not end in 5 minutes");
            }
            return new Result(p.exitValue(), Files.readString(workDir.resolve("out.txt"), StandardCharsets.UTF_8),
                    Files.readString(workDir.resolve("err.txt"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
