package io.pgvault.internal.pipeline;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.Compression;
import io.pgvault.api.Encryption;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgvault.internal.pipeline.PipelineFixtures.IDENTITY;
import static io.pgvault.internal.pipeline.PipelineFixtures.PASSPHRASE;
import static io.pgvault.internal.pipeline.PipelineFixtures.pipeline;
import static io.pgvault.internal.pipeline.PipelineFixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Proves that operators can read pgvault objects with the standard CLIs alone, and the other way round. */
@DisplayName("Interoperability with the age, zstd and gzip CLIs")
class AgeCliInteropTest {
    private static final String AGE = "/usr/bin/age";
    private static final String ZSTD = "/usr/bin/zstd";
    private static final String GZIP = "/bin/gzip";
    private static final byte[] LOGICAL = sample(600_000, 31);

    /**
     * age reads passphrases from the terminal only: this drives it through a pseudo-terminal and types the passphrase
     * (taken from the environment, never from argv) at each prompt.
     */
    private static final String PTY_DRIVER = """
            import os, pty, select, sys
            passphrase = os.environ[sys.argv[1]].encode() + b"\\n"
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[2], sys.argv[2:])
            pending = b""
            while True:
                ready, _, _ = select.select([fd], [], [], 120)
                if not ready:
                    break
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                pending += data
                # only age's own prompts ("Enter passphrase...:", "Confirm passphrase:"), never its error text
                while True:
                    at = [i for i in (pending.find(b"Enter passphrase"), pending.find(b"Confirm passphrase")) if i >= 0]
                    if not at or b":" not in pending[min(at):]:
                        break
                    os.write(fd, passphrase)
                    rest = pending[min(at):]
                    pending = rest[rest.index(b":") + 1:]
            # the terminal echoes what was typed: never print the passphrase
            sys.stderr.write(pending.replace(passphrase.strip(), b"***").decode(errors="replace"))
            _, status = os.waitpid(pid, 0)
            sys.exit(os.waitstatus_to_exitcode(status))
            """;

    @TempDir
    Path dir;

    @Nested
    @DisplayName("pgvault writes, the CLIs read")
    class PgvaultToCli {

        @Test
        @DisplayName("an X25519 zstd object decodes with age -d -i identity | zstd -d")
        void x25519() throws Exception {
            requireTools(AGE, ZSTD);
            Path stored = encodeToFile(pipeline(Compression.zstd(), PipelineFixtures.x25519()));
            Path identity = secretFile("identity.txt", IDENTITY.reveal() + "\n");
            Path out = dir.resolve("out.sql");

            List<Process> pipe = ProcessBuilder.startPipeline(List.of(
                    new ProcessBuilder(AGE, "-d", "-i", identity.toString(), stored.toString()),
                    new ProcessBuilder(ZSTD, "-d", "-q", "-c").redirectOutput(out.toFile())));
            for (Process p : pipe) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();
            }

            assertThat(out).hasBinaryContent(LOGICAL);
        }

        @Test
        @DisplayName("a passphrase gzip object decodes with age -d (passphrase typed) | gunzip")
        void passphrase() throws Exception {
            requireTools(AGE, GZIP);
            String python = requirePtyDriver();
            Path stored = encodeToFile(pipeline(Compression.gzip(), PipelineFixtures.passphrase()));
            Path gz = dir.resolve("out.sql.gz");

            typePassphrase(python, PASSPHRASE, AGE, "-d", "-o", gz.toString(), stored.toString());
            run(List.of(GZIP, "-d", gz.toString()));

            assertThat(dir.resolve("out.sql")).hasBinaryContent(LOGICAL);
        }

        @Test
        @DisplayName("zstd frames with workers read with zstd -d, gzip members with gunzip")
        void compressionOnly() throws Exception {
            requireTools(ZSTD, GZIP);
            Path zst = Files.move(encodeToFile(pipeline(Compression.zstd(5, 2), Encryption.none())),
                    dir.resolve("a.sql.zst"));
            Path gz = Files.move(encodeToFile(pipeline(Compression.gzip(), Encryption.none())),
                    dir.resolve("b.sql.gz"));

            run(List.of(ZSTD, "-d", "-q", zst.toString()));
            run(List.of(GZIP, "-d", gz.toString()));

            assertThat(dir.resolve("a.sql")).hasBinaryContent(LOGICAL);
            assertThat(dir.resolve("b.sql")).hasBinaryContent(LOGICAL);
        }
    }

    @Nested
    @DisplayName("the CLIs write, pgvault reads")
    class CliToPgvault {

        @Test
        @DisplayName("zstd | age -r recipient output decodes with the identity")
        void x25519() throws Exception {
            requireTools(AGE, ZSTD);
            Path plain = Files.write(dir.resolve("plain.sql"), LOGICAL);
            run(List.of(ZSTD, "-3", "-q", plain.toString(), "-o", dir.resolve("plain.sql.zst").toString()));
            Path stored = dir.resolve("plain.sql.zst.age");
            run(List.of(AGE, "-r", AgeKeys.recipientOf(IDENTITY), "-o", stored.toString(),
                    dir.resolve("plain.sql.zst").toString()));

            assertThat(decodeFile(pipeline(Compression.zstd(), PipelineFixtures.x25519()), stored, Compression.zstd(),
                    "age-x25519")).isEqualTo(LOGICAL);
        }

        @Test
        @DisplayName("age -p output (default work factor) decodes with the passphrase")
        void passphrase() throws Exception {
            requireTools(AGE);
            String python = requirePtyDriver();
            Path plain = Files.write(dir.resolve("plain.sql"), LOGICAL);
            Path stored = dir.resolve("plain.sql.age");
            typePassphrase(python, PASSPHRASE, AGE, "-p", "-o", stored.toString(), plain.toString());

            assertThat(decodeFile(pipeline(Compression.none(), ((Encryption.Passphrase) PipelineFixtures.passphrase())
                    .acceptingWorkFactorUpTo(18)), stored, Compression.none(), "age-scrypt")).isEqualTo(LOGICAL);
        }
    }

    private Path encodeToFile(Pipeline pipeline) throws IOException {
        Path file = Files.createTempFile(dir, "stored", ".bin");
        try (OutputStream sink = Files.newOutputStream(file)) {
            EncodingStream encoding = pipeline.encode(sink);
            encoding.write(LOGICAL);
            encoding.finish();
        }
        return file;
    }

    private static byte[] decodeFile(Pipeline pipeline, Path stored, Compression compression, String scheme)
            throws IOException {
        Digest digest;
        try (InputStream in = Files.newInputStream(stored)) {
            digest = Pipeline.digest(in);
        }
        StoredObject object = new StoredObject("plain.sql", "data/cli/plain.sql", LOGICAL.length, digest.size(),
                digest.sha256(), PipelineTest.sha256(LOGICAL), compression, scheme, Map.of());
        try (InputStream in = pipeline.decode(Files.newInputStream(stored), object)) {
            return in.readAllBytes();
        }
    }

    private Path secretFile(String name, String content) throws IOException {
        Path file = Files.createFile(dir.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, content, StandardCharsets.US_ASCII);
    }

    private void typePassphrase(String python, Secret passphrase, String... ageCommand) throws Exception {
        Path driver = Files.writeString(dir.resolve("pty_driver.py"), PTY_DRIVER);
        List<String> command = new ArrayList<>(List.of(python, driver.toString(), "AGE_TEST_PASSPHRASE"));
        command.addAll(List.of(ageCommand));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("AGE_TEST_PASSPHRASE", passphrase.reveal());
        run(builder);
    }

    private static void run(List<String> command) throws Exception {
        run(new ProcessBuilder(command));
    }

    private static void run(ProcessBuilder builder) throws Exception {
        Process process = builder.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
        assertThat(process.exitValue()).as("%s: %s", builder.command().get(0),
                new String(output, StandardCharsets.UTF_8)).isZero();
    }

    private static void requireTools(String... tools) {
        for (String tool : tools) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is not installed (apt-get install -y age zstd gzip)");
        }
    }

    /** @return a python3 to drive a pseudo-terminal; the test is skipped, saying why, when there is none */
    private static String requirePtyDriver() {
        String driver = List.of("/usr/bin/python3", "/usr/local/bin/python3").stream()
                .filter(candidate -> Files.isExecutable(Path.of(candidate))).findFirst().orElse(null);
        assumeTrue(driver != null, "no python3 to drive a pseudo-terminal: age reads passphrases only from a terminal"
                + " (scripts/install-packages installs it)");
        return driver;
    }
}
