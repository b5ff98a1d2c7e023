package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.Compression;
import io.pgvault.api.StoredObject;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One pgBackRest backup set held by a mirror: its own files, the archived WAL it was mirrored with, and when it was
 * mirrored and last verified. This is the mirror manifest, written as JSON after every file it lists is durable on
 * the mirror, so a set is listed only once it is complete.
 *
 * @param stanza     the stanza
 * @param label      the set's label, e.g. {@code 20261121-101010F}
 * @param type       FULL, DIFF or INCR
 * @param prior      the set it was taken against (DIFF/INCR)
 * @param references every set whose files its manifest references (these are mirrored too)
 * @param startedAt  when the backup started
 * @param stoppedAt  when it stopped
 * @param archiveId  the archive id directory its WAL is in, e.g. {@code 15-1}
 * @param walStart   its first WAL segment
 * @param walStop    its last WAL segment
 * @param walPolicy  which WAL was mirrored with it
 * @param cipher     {@code aes-256-cbc} when the repository is encrypted ({@code repoN-cipher-pass} is needed to
 *                   restore), else {@code none}
 * @param files      the files of the set's own directory (and its history manifest)
 * @param wal        the archive files mirrored with it: segments, the {@code .backup} label, {@code .history} files
 * @param mirroredAt when the set was committed on the mirror
 * @param verifiedAt when every file was last read back from the mirror and matched, if ever
 * @param systemId   the database system identifier the set was taken of; empty for sets mirrored before 0.2.0
 * @param cipherFingerprint a one-way fingerprint of the sub-passphrase the set's files are encrypted with (one per
 *                   repository and stanza creation); empty when not encrypted or mirrored before 0.2.0
 * @param info       pgBackRest's info files ({@code backup.info}, {@code archive.info} and copies) as they were when
 *                   the set was mirrored, kept under keys of their own: the set restores with them whatever
 *                   happened to the stanza later (re-created, another repository, another cipher passphrase); empty
 *                   for sets mirrored before 0.2.0, which use the mirror's one shared info record
 * @param checksumError whether pgBackRest flagged the set for page checksum errors (it is complete and restorable)
 * @since 0.2.0
 */
public record MirroredSet(String stanza, String label, BackupType type, Optional<String> prior,
        List<String> references, Instant startedAt, Instant stoppedAt, String archiveId, String walStart,
        String walStop, WalPolicy walPolicy, String cipher, List<MirroredFile> files, List<MirroredFile> wal,
        Instant mirroredAt, Optional<Instant> verifiedAt, Optional<String> systemId,
        Optional<String> cipherFingerprint, List<MirroredFile> info, boolean checksumError) {

    /** Strategy name of the {@link BackupSet}s a mirror reports. */
    static final String STRATEGY = PgBackRestBackup.STRATEGY;

    /** Validates the components and copies the lists. */
    public MirroredSet {
        Objects.requireNonNull(stanza, "stanza");
        BackupId.of(Objects.requireNonNull(label, "label"));
        Objects.requireNonNull(type, "type");
        prior = prior == null ? Optional.empty() : prior;
        references = references == null ? List.of() : List.copyOf(references);
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(stoppedAt, "stoppedAt");
        Objects.requireNonNull(archiveId, "archiveId");
        Objects.requireNonNull(walStart, "walStart");
        Objects.requireNonNull(walStop, "walStop");
        Objects.requireNonNull(walPolicy, "walPolicy");
        Objects.requireNonNull(cipher, "cipher");
        files = List.copyOf(Objects.requireNonNull(files, "files"));
        wal = List.copyOf(Objects.requireNonNull(wal, "wal"));
        Objects.requireNonNull(mirroredAt, "mirroredAt");
        verifiedAt = verifiedAt == null ? Optional.empty() : verifiedAt;
        systemId = systemId == null ? Optional.empty() : systemId;
        cipherFingerprint = cipherFingerprint == null ? Optional.empty() : cipherFingerprint;
        info = info == null ? List.of() : List.copyOf(info);
    }

    /**
     * @return which incarnation of the stanza the set belongs to: sets of one incarnation (same system identifier
     *         and cipher sub-passphrase) can share a materialized repository; {@code legacy} for sets mirrored
     *         before 0.2.0
     */
    public String incarnation() {
        return systemId.isEmpty() ? "legacy" : systemId.get() + cipherFingerprint.map(f -> "/" + f).orElse("");
    }

    /** @return the label as a backup id */
    public BackupId id() {
        return BackupId.of(label);
    }

    /** @return the set's own files, its WAL and its info files */
    public List<MirroredFile> allFiles() {
        List<MirroredFile> all = new ArrayList<>(files.size() + wal.size() + info.size());
        all.addAll(files);
        all.addAll(wal);
        all.addAll(info);
        return all;
    }

    /** @return how many files the set, its WAL and its info files take */
    public int fileCount() {
        return files.size() + wal.size() + info.size();
    }

    /** @return bytes of the set's own files, its WAL and info files (files shared with other sets counted for each) */
    public long bytes() {
        return allFiles().stream().mapToLong(MirroredFile::size).sum();
    }

    /** @return bytes of the WAL mirrored with the set */
    public long walBytes() {
        return wal.stream().mapToLong(MirroredFile::size).sum();
    }

    /**
     * @param when when the set was verified
     * @return a copy recording that
     */
    public MirroredSet withVerifiedAt(Instant when) {
        return new MirroredSet(stanza, label, type, prior, references, startedAt, stoppedAt, archiveId, walStart,
                walStop, walPolicy, cipher, files, wal, mirroredAt, Optional.of(when), systemId, cipherFingerprint,
                info, checksumError);
    }

    /**
     * @param moreWal the set's WAL after a PITR extension
     * @return a copy with that WAL
     */
    MirroredSet withWal(List<MirroredFile> moreWal) {
        return new MirroredSet(stanza, label, type, prior, references, startedAt, stoppedAt, archiveId, walStart,
                walStop, walPolicy, cipher, files, moreWal, mirroredAt, verifiedAt, systemId, cipherFingerprint, info,
                checksumError);
    }

    /**
     * @param keyPrefix the mirror's prefix (objects' keys are it plus each file's {@link MirroredFile#key()})
     * @return pgvault's common view: the label as id, DIFF/INCR depending on their prior, one stored object per file
     */
    public BackupSet toBackupSet(String keyPrefix) {
        Map<String, String> a = new LinkedHashMap<>();
        if (!references.isEmpty()) {
            a.put(PgBackRestBackup.REFERENCE, String.join(",", references));
        }
        a.put(PgBackRestBackup.WAL_START, walStart);
        a.put(PgBackRestBackup.WAL_STOP, walStop);
        a.put("pgbackrest.archive-id", archiveId);
        a.put("pgbackrest.mirror.wal-policy", walPolicy.name());
        a.put("pgbackrest.mirror.wal-files", Integer.toString(wal.size()));
        a.put(PgBackRestBackup.ERROR, Boolean.toString(checksumError));
        systemId.ifPresent(v -> a.put(PgBackRestBackup.SYSTEM_ID, v));
        String encryption = "none".equals(cipher) ? "none" : "pgbackrest-" + cipher;
        List<StoredObject> objects = new ArrayList<>(fileCount());
        for (MirroredFile f : allFiles()) {
            objects.add(new StoredObject(f.path(), keyPrefix + f.key(), f.size(), f.size(), f.sha256(), f.sha256(),
                    Compression.none(), encryption, Map.of()));
        }
        Instant stop = stoppedAt.isBefore(startedAt) ? startedAt : stoppedAt;
        return new BackupSet(id(), STRATEGY, type, BackupStatus.COMPLETE, stanza, startedAt, stop,
                type == BackupType.FULL ? Optional.empty() : prior.map(BackupId::of), objects, a, verifiedAt);
    }
}
