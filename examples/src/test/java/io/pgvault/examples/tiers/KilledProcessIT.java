package io.pgvault.examples.tiers;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Compression;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFault;
import io.pgvault.testkit.gdrive.DriveFile;
import io.pgvault.testkit.gdrive.DriveV3Fake;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The process killed mid-copy, for real: a child JVM ({@link KilledProcessChild}) opens the primary and runs
 * {@code sync()} to a Google Drive tier (the testkit's Drive v3 fake, served from this JVM), and this test kills it
 * with SIGKILL ({@link Process#destroyForcibly()}) three times, at three moments:
 * <ol>
 *   <li>while the big object is being uploaded: the fake holds part of it in an open resumable session;</li>
 *   <li>after the big object's upload finished but before its rename (the commit), which the fake refuses with 503
 *       until the kill: a hidden {@code .pgvault-upload-*} file is left behind;</li>
 *   <li>after the big object was committed, while the next upload (the set's manifest) is refused with 503.</li>
 * </ol>
 * Then a sync in this process completes the tier: it keeps the committed objects, copies the rest, lists the set;
 * every file on Drive matches the primary's bytes, no name is there twice, the primary is byte-for-byte unchanged,
 * {@link GoogleDriveRepository#deleteAbandonedUploads} removes the hidden upload (and only once it is old enough), and
 * the Drive copy alone restores the source. The faults only hold the child at a moment; the deaths are real.
 */
class KilledProcessIT {
    private static final int CHUNK = GoogleDriveRepositoryConfig.CHUNK_GRANULARITY;
    /** pg_dump -Z0 of this much random text: one table file of some 25 MiB, about 100 upload chunks. */
    private static final int TEXT_MEGABYTES = 32;
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String UPLOAD_PREFIX = ".pgvault-upload-";
    private static final String CLIENT_ID = "pgvault-killed.apps.googleusercontent.com";
    private static final String CLIENT_SECRET = "GOCSPX-killed-" + UUID.randomUUID();
    private static final String REFRESH_TOKEN = "1//killed-" + UUID.randomUUID();

    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();

    private static DriveV3Fake fake;
    private static Map<String, String> print;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private Path primary;
    private PgVault source;
    private BackupSet set;
    private StoredObject big;
    private String folder;
    private GoogleDriveRepository drive;
    private PgVault vault;

    @BeforeAll
    static void start() {
        fake = DriveV3Fake.start();
        fake.registerOAuthClient(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase("shop");
        DemoDatabase.randomText(TEXT_MEGABYTES).applyTo(cluster, "shop");
        print = DemoDatabase.fingerprint(cluster, "shop");
    }

    @AfterAll
    static void stop() {
        if (fake != null) {
            fake.close();
        }
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a sync process killed mid-upload, between upload and commit, and before the manifest: the next sync "
            + "completes the tier with verified copies, no duplicates, the primary untouched, and debris removable")
    void killedThreeTimes() throws Exception {
        primary = dir.resolve("primary");
        source = KilledProcessChild.vault(primary, PG.connection("shop")).build();
        set = source.backup();
        Map<String, String> primaryBefore = snapshot(primary);
        big = set.objects().stream().max(Comparator.comparingLong(StoredObject::storedBytes)).orElseThrow();
        assertThat(big.storedBytes()).as("the big object spans many upload chunks").isGreaterThan(40L * CHUNK);

        folder = "backups/killed-" + UUID.randomUUID();
        // the parent opens the tier first, so that the folder exists before any child looks for it
        try (GoogleDriveRepository opened = GoogleDriveRepository.of(KilledProcessChild.driveConfig(
                URI.create(fake.rootUrl()), fake.tokenUri(), folder, CLIENT_ID, Secret.of(CLIENT_SECRET),
                Secret.of(REFRESH_TOKEN)).build())) {
            drive = opened;
            vault = KilledProcessChild.vault(primary, PG.connection("shop"))
                    .tier(Tier.builder("drive", drive).build()).build();

            Map<String, Long> abandoned = killMidUpload();
            killBeforeRename();
            List<String> committed = killBeforeManifest();
            String bigFileId = liveFiles().stream().filter(f -> keyOf(f).equals(big.key())).findFirst()
                    .orElseThrow().id();

            // the next sync, in this process, completes the tier and resumes instead of starting over
            sweepDeadClaim();
            SyncReport report = vault.sync();
            assertThat(report.succeeded()).as(report.render()).isTrue();
            assertThat(report.copied()).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo(set.id());
                assertThat(c.objectsReused()).as("committed before the kills").isEqualTo(committed.size());
                assertThat(c.objectsCopied()).isEqualTo(set.objects().size() - committed.size());
            });
            assertThat(liveFiles()).as("the big object's file is the one the third process committed")
                    .anyMatch(f -> f.id().equals(bigFileId) && keyOf(f).equals(big.key()));
            assertThat(vault.onTier("drive").list()).extracting(BackupSet::id).containsExactly(set.id());
            assertThat(vault.sync().copied()).as("nothing left to copy").isEmpty();

            assertEveryObjectOnceWithThePrimarysBytes();
            assertThat(vault.onTier("drive").verify(set.id(), true).problems()).isEmpty();

            // nothing on the primary lost or changed
            assertThat(snapshot(primary)).isEqualTo(primaryBefore);
            assertThat(source.list()).extracting(BackupSet::id).containsExactly(set.id());
            assertThat(source.verify(set.id(), true).problems()).isEmpty();

            assertDebrisRemovable(abandoned);
            restoreFromDriveAlone();
            System.out.printf("KilledProcessIT: %d objects, the big one %d bytes (%d chunks); first kill at %d bytes "
                    + "of it; %s%n", set.objects().size(), big.storedBytes(), (big.storedBytes() + CHUNK - 1) / CHUNK,
                    abandoned.values().stream().mapToLong(Long::longValue).max().orElse(0), report.render());
        }
    }

    /** Kill 1, while the big object is on its way: part of it in an open session, nothing visible. */
    private Map<String, Long> killMidUpload() throws IOException, InterruptedException {
        Set<String> stale = fake.openUploadSessionBytes().keySet();
        Process first = launch("first");
        await(first, "part of the big object in an upload session",
                () -> fresh(stale).values().stream().anyMatch(bytes -> bytes >= 2L * CHUNK));
        kill(first);
        Map<String, Long> abandoned = fresh(stale);
        // besides the big object's session, the kill may cut short a claim refresh (a small file) just opened
        assertThat(abandoned.values()).as("the upload the kill interrupted, part of the big object")
                .filteredOn(bytes -> bytes >= CHUNK)
                .singleElement().satisfies(bytes -> assertThat(bytes).isBetween(2L * CHUNK, big.storedBytes() - 1));
        assertThat(abandoned.values()).as("any other session the kill cut short holds less than a chunk")
                .filteredOn(bytes -> bytes < CHUNK).hasSizeLessThanOrEqualTo(1);
        assertThat(visibleNames()).doesNotContain(big.key());
        // a claim refresh (every 100 ms here) may have finished its upload and not yet its rename: that file is the
        // claim's small body; no part of the big object is ever a file
        assertThat(hiddenUploads()).as("an unfinished upload is no file at all; a claim refresh the kill cut short "
                + "between its upload and its rename may be").hasSizeLessThanOrEqualTo(1);
        assertClaimRefreshes(hiddenUploads());
        assertThat(drive.stat(big.key())).isEmpty();
        assertThat(vault.onTier("drive").list()).as("a half-copied set is never listed").isEmpty();
        return abandoned;
    }

    /** Kill 2, after the big object's upload finished and before its rename: a hidden upload, nothing listed. */
    private void killBeforeRename() throws IOException, InterruptedException {
        Process second = launch("second");
        // the child claims the set first (an upload and a rename of its own); renames fail only after that
        await(second, "the child's claim on the set", () -> drive.stat(io.pgvault.api.RepositoryLayout.intentKey(
                set.id())).isPresent());
        int updates = fake.requests(DriveEndpoint.UPDATE);
        fake.failNext(DriveEndpoint.UPDATE, 1_000_000, DriveFault.serverError(503));
        try {
            await(second, "the big object uploaded under a temporary name and its rename retried",
                    () -> hiddenUploads().stream().anyMatch(f -> f.size() == big.storedBytes())
                            && fake.requests(DriveEndpoint.UPDATE) >= updates + 2);
            kill(second);
        } finally {
            fake.clearFaults();
        }
        String md5 = md5(big);
        // the big object's upload, and perhaps a refresh of the child's claim that was waiting for its rename too
        assertThat(hiddenUploads().stream().filter(f -> f.size() == big.storedBytes()).toList()).singleElement()
                .satisfies(f -> assertThat(f.md5Checksum()).contains(md5));
        assertClaimRefreshes(hiddenUploads().stream().filter(f -> f.size() != big.storedBytes()).toList());
        assertThat(drive.stat(big.key())).as("an upload is no object until renamed").isEmpty();
        assertThat(drive.list("")).extracting(ObjectInfo::key).noneMatch(k -> k.startsWith(UPLOAD_PREFIX));
        assertThat(vault.onTier("drive").list()).isEmpty();
    }

    /**
     * Kill 3, after the big object was committed, while the next upload (the manifest) is refused.
     *
     * @return the keys committed on the tier
     */
    private List<String> killBeforeManifest() throws IOException, InterruptedException {
        Set<String> stale = fake.openUploadSessionBytes().keySet();
        Process third = launch("third");
        try {
            await(third, "the big object being uploaded again",
                    () -> fresh(stale).values().stream().anyMatch(bytes -> bytes >= 2L * CHUNK));
            int starts = fake.requests(DriveEndpoint.UPLOAD_START);
            fake.failNext(DriveEndpoint.UPLOAD_START, 1_000_000, DriveFault.serverError(503));
            await(third, "the big object committed and the next upload retried",
                    () -> visibleNames().contains(big.key())
                            && fake.requests(DriveEndpoint.UPLOAD_START) >= starts + 2);
            kill(third);
        } finally {
            fake.clearFaults();
        }
        assertThat(drive.stat(big.key())).hasValueSatisfying(info -> assertThat(info.sha256())
                .contains(big.storedSha256()));
        assertThat(vault.onTier("drive").list()).as("no manifest, no set").isEmpty();
        List<String> committed = set.objects().stream().map(StoredObject::key)
                .filter(k -> drive.stat(k).isPresent()).toList();
        assertThat(committed).as("the objects up to the big one, in the order the copy goes").isEqualTo(set.objects()
                .subList(0, set.objects().indexOf(big) + 1).stream().map(StoredObject::key).toList());
        return committed;
    }

    /** Each object once on Drive, and both Drive's MD5 and the stored bytes match the primary's object. */
    private void assertEveryObjectOnceWithThePrimarysBytes() throws IOException {
        Map<String, List<DriveFile>> byName = liveFiles().stream().collect(Collectors.groupingBy(this::keyOf));
        assertThat(byName).as("no name twice").allSatisfy((name, files) -> assertThat(files).as(name).hasSize(1));
        for (StoredObject o : set.objects()) {
            DriveFile file = byName.get(o.key()).get(0);
            String expected = md5(o);
            assertThat(file.md5Checksum()).as(o.key()).contains(expected);
            try (InputStream in = fake.openContent(file.id())) {
                assertThat(md5(in)).as("stored bytes of " + o.key()).isEqualTo(expected);
            }
        }
    }

    /** The abandoned session holds no file; the hidden upload goes once it is old enough, and only it. */
    private void assertDebrisRemovable(Map<String, Long> abandoned) {
        assertThat(fake.openUploadSessionBytes()).as("only the session the first kill interrupted is open")
                .containsOnlyKeys(abandoned.keySet());
        assertThat(drive.deleteAbandonedUploads(Duration.ofHours(1))).as("a young upload may be in progress")
                .isZero();
        int hidden = hiddenUploads().size();
        assertThat(hiddenUploads()).as("the big object's upload (and claim refreshes a kill cut short)")
                .anyMatch(f -> f.size() == big.storedBytes());
        assertThat(drive.deleteAbandonedUploads(Duration.ZERO)).isEqualTo(hidden);
        assertThat(hiddenUploads()).isEmpty();
        assertThat(visibleNames()).as("every file in the folder is a listed key")
                .containsExactlyInAnyOrderElementsOf(drive.list("").stream().map(ObjectInfo::key).toList());
        assertThat(vault.onTier("drive").verify(set.id(), true).problems()).isEmpty();
    }

    private void restoreFromDriveAlone() {
        PgVault alone = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(PG.connection("postgres")).build()))
                .repository(drive).pipeline(PipelineOptions.defaults().withCompression(Compression.none())).build();
        alone.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("shop_killed").build());
        assertThat(DemoDatabase.fingerprint(PG.cluster(), "shop_killed")).isEqualTo(print);
    }

    // ---- the child process ----

    private Process launch(String name) throws IOException {
        sweepDeadClaim();
        PgConnection pg = PG.connection("shop");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), KilledProcessChild.class.getName(),
                primary.toString(), fake.rootUrl(), fake.tokenUri().toString(), folder, CLIENT_ID, pg.host(),
                Integer.toString(pg.port()), pg.user(), pg.binDir().orElseThrow().toString());
        builder.environment().put(KilledProcessChild.SECRET_ENV, CLIENT_SECRET);
        builder.environment().put(KilledProcessChild.REFRESH_ENV, REFRESH_TOKEN);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        Process child = builder.start();
        children.add(child);
        return child;
    }

    /** Polls until {@code condition} holds; fails if the child exits first or the patience runs out. */
    private void await(Process child, String what, BooleanSupplier condition) {
        try {
            Awaitility.await(what).atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                    .until(() -> {
                        if (condition.getAsBoolean()) {
                            return true;
                        }
                        if (!child.isAlive()) {
                            throw new AssertionError("the child exited with " + child.exitValue() + " before "
                                    + what + "; its output:\n" + output(child));
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("waited " + PATIENCE.toSeconds() + " s for " + what + "; the child's output:\n"
                    + output(child), e);
        }
    }

    /** SIGKILL: no shutdown hook, no finally block, no cancel request runs in the child. */
    private void kill(Process child) throws InterruptedException {
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child died").isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL, not finished: " + output(child)).isEqualTo(128 + 9);
    }

    /**
     * A killed child's claim on the set expires (by Drive's clock) and a sweep takes it away, as the next process
     * would find it; the objects the child left are young, so the sweep keeps them for the resume.
     */
    private void sweepDeadClaim() {
        if (set == null) {
            return;
        }
        String claim = io.pgvault.api.RepositoryLayout.intentKey(set.id());
        Awaitility.await("the killed child's claim swept").atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    new io.pgvault.api.Catalog(drive, KilledProcessChild.LEASES).removeDebris(Duration.ofHours(1));
                    return drive.stat(claim).isEmpty();
                });
    }

    private String output(Process child) {
        int index = children.indexOf(child);
        String name = List.of("first", "second", "third").get(index);
        try {
            return Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    // ---- what the fake holds ----

    private static Map<String, Long> fresh(Set<String> stale) {
        return fake.openUploadSessionBytes().entrySet().stream().filter(e -> !stale.contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** @return the files in the tier's folder and its subfolders, trashed ones and folders left out */
    private List<DriveFile> liveFiles() {
        return fake.descendants(drive.folderId()).stream().filter(f -> !f.trashed() && !f.isFolder()).toList();
    }

    /** @return the key a file stands for: its name, after the name of its subfolder (a key's parent path) if any */
    private String keyOf(DriveFile file) {
        String parent = file.parents().get(0);
        return parent.equals(drive.folderId()) ? file.name()
                : fake.file(parent).orElseThrow().name() + "/" + file.name();
    }

    private List<DriveFile> hiddenUploads() {
        return liveFiles().stream().filter(f -> f.name().startsWith(UPLOAD_PREFIX)).toList();
    }

    /** Each file is the body of a refresh of a claim on the set by a tier copy. */
    private void assertClaimRefreshes(List<DriveFile> files) {
        assertThat(files).allSatisfy(f -> assertThat(claimBody(f)).as(f.name() + ", " + f.size() + " bytes")
                .contains("\"set\":\"" + set.id().value() + "\"").contains("\"operation\":\"tier-copy\""));
    }

    /** @return a small hidden file's content as text without white space, or a marker when too big to be a claim */
    private static String claimBody(DriveFile file) {
        if (file.size() >= CHUNK) {
            return "(" + file.size() + " bytes: not a claim)";
        }
        try (InputStream in = fake.openContent(file.id())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> visibleNames() {
        return liveFiles().stream().filter(f -> !f.name().startsWith(UPLOAD_PREFIX)).map(this::keyOf).toList();
    }

    // ---- digests ----

    private String md5(StoredObject o) throws IOException {
        try (InputStream in = source.repository().open(o.key())) {
            return md5(in);
        }
    }

    private static String md5(InputStream in) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            md5.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    /** @return every file under {@code root} with its SHA-256 */
    private static Map<String, String> snapshot(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).collect(Collectors.toMap(p -> root.relativize(p).toString(),
                    KilledProcessIT::sha256, (a, b) -> a, TreeMap::new));
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
