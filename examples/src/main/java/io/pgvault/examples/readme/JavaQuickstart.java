package io.pgvault.examples.readme;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.VerifyResult;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.local.LocalRepository;

import java.nio.file.Path;

/** The README's Java quickstart: a pg_dump backup to local disk, verified and restored into a new database. */
public final class JavaQuickstart {
    private JavaQuickstart() {
    }

    /**
     * Backs up the database {@code app} on {@code db.internal}, verifies the set and restores it as
     * {@code app_restored}.
     *
     * @return the deep verification of the set that was restored
     */
    public static VerifyResult run() {
        // tag::quickstart[]
        PgConnection db = PgConnection.builder()
                .host("db.internal").user("backup").database("app")
                .password(Secret.fromEnv("PGPASSWORD").orElseThrow())         // reaches pg_dump via a 0600 PGPASSFILE, never argv
                .build();

        PgVault vault = PgVault.builder()
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(db).format(DumpFormat.CUSTOM).build()))
                .repository(LocalRepository.at(Path.of("/var/backups/pg")))
                .pipeline(PipelineOptions.defaults()                              // zstd level 3
                        .withEncryption(Encryption.passphrase(Secret.fromEnv("PGVAULT_PASSPHRASE").orElseThrow())))
                .build();

        BackupSet set = vault.backup();                                           // listed only once complete
        VerifyResult check = vault.verify(set.id(), true);                        // SHA-256 + pg_restore --list/parse
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("app_restored").build());
        // end::quickstart[]
        return check;
    }
}
