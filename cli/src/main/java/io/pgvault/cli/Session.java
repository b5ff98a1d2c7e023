package io.pgvault.cli;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVault;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.config.ConfigSources;
import io.pgvault.config.PgVaultSettings;
import io.pgvault.config.SettingsBinder;
import io.pgvault.config.VaultAssembly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The configuration a command runs with: read, bound and built once, on first use. */
final class Session {
    private final Path file;
    private final Map<String, String> environment;
    private VaultAssembly assembly;
    private final TerminalProgress progress = System.console() != null ? new TerminalProgress(System.err) : null;

    Session(Path file, Map<String, String> environment) {
        this.file = file;
        this.environment = environment;
    }

    /** @return the configuration file: {@code --config}, else {@code PGVAULT_CONFIG}, else {@code ./pgvault.yml} */
    static Path locate(Path option, Map<String, String> environment) {
        if (option != null) {
            return option;
        }
        String env = environment.get("PGVAULT_CONFIG");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("pgvault.yml");
    }

    PgVaultSettings settings() {
        return assembly().settings();
    }

    synchronized VaultAssembly assembly() {
        if (assembly == null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigurationException("no configuration file at " + file.toAbsolutePath()
                        + ": pass --config FILE or set PGVAULT_CONFIG");
            }
            VaultAssembly.Builder b = VaultAssembly.builder(SettingsBinder.bind(ConfigSources.load(file, environment)));
            if (progress != null) {
                b.listener(progress);
            }
            assembly = b.build();
        }
        return assembly;
    }

    /** @return the terminal's progress line, when there is a terminal */
    java.util.Optional<TerminalProgress> progress() {
        return java.util.Optional.ofNullable(progress);
    }

    PgVault vault() {
        return assembly().vault().orElseThrow(() -> new ConfigurationException("this command needs logical backups: "
                + "set pgvault.dump and pgvault.repository in " + file));
    }

    PgBackRest pgBackRest() {
        return assembly().pgBackRest().orElseThrow(() -> new ConfigurationException("this command needs pgBackRest: "
                + "set pgvault.pgbackrest in " + file));
    }

    /** @return whether the configuration is physical only (then list, backup, verify, restore mean pgBackRest) */
    boolean physicalOnly() {
        return assembly().vault().isEmpty() && assembly().pgBackRest().isPresent();
    }
}
