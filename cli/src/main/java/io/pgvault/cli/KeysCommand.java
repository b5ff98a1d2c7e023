package io.pgvault.cli;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.KeyRotation;
import io.pgvault.api.Secret;
import io.pgvault.config.SecretRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** {@code pgvault keys ...}: age identities and passphrase rotation. */
@Command(mixinStandardHelpOptions = true, name = "keys", description = "Generate an age identity; re-wrap passphrase sets' keys after a passphrase "
        + "change.", footerHeading = "%nExamples:%n", footer = {"  pgvault keys generate --out /etc/pgvault/age.key",
                "  pgvault keys rewrap --previous env:OLD_PGVAULT_PASSPHRASE --yes"})
final class KeysCommand {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    @Command(mixinStandardHelpOptions = true, name = "generate", description = "Write a new age X25519 identity to a 0600 file (never to the terminal) "
            + "and print its public recipient.")
    int generate(@Option(names = "--out", required = true, paramLabel = "FILE",
            description = "where the identity goes (must not exist)") Path out) {
        Secret identity = AgeKeys.generateIdentity();
        try {
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(out, "# created by pgvault keys generate\n# public key: "
                    + AgeKeys.recipientOf(identity) + "\n" + identity.reveal() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ConfigurationException(out + " exists: pgvault never overwrites a key");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println("identity written to " + out + " (0600); reference it as pipeline.identity: \"file:"
                + out.toAbsolutePath() + "\"");
        w.println("public recipient: " + AgeKeys.recipientOf(identity));
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "rewrap", description = "Re-wrap every passphrase set's key from the previous passphrase to the "
            + "configured one, without re-encrypting data (needs pipeline.integrity-key).")
    int rewrap(@Option(names = "--previous", required = true, paramLabel = "REF",
            description = "the previous passphrase, referenced: env:NAME or file:/path") String previous) {
        SecretRef ref = SecretRef.parse(previous).orElseThrow(() -> new ConfigurationException("--previous must be "
                + "env:NAME or file:/path: a passphrase on the command line would show in the process list"));
        root.confirm("re-wrap the key of every passphrase set in " + root.session().vault().repository().id());
        KeyRotation r = root.session().vault().rewrapSetKeys(ref.resolve("--previous"));
        PrintWriter w = spec.commandLine().getOut();
        w.printf("re-wrapped %d, already current %d, per-object (older) %d, failed %d%n", r.rewrapped().size(),
                r.alreadyCurrent().size(), r.perObject().size(), r.failed().size());
        r.failed().forEach((id, why) -> w.printf("  failed %s: %s%n", id.value(), why));
        return r.failed().isEmpty() ? Exit.OK : Exit.FAILED;
    }
}
