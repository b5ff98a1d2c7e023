package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.event.VaultListener;
import io.pgvault.spi.Repository;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What every drill kind was built with ({@link DrillBuilder}), frozen. */
record DrillSettings(Optional<BackupId> backupId, Optional<Path> binDir, Optional<String> serverUser,
        Path workDirectory, boolean amcheck, boolean heapAllIndexed, List<SqlAssertion> assertions,
        Duration startTimeout, boolean record, Optional<Repository> records, List<VaultListener> listeners,
        Clock clock) {

    DrillSettings {
        assertions = List.copyOf(assertions);
        listeners = List.copyOf(listeners);
    }
}
