package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.process.StderrListener;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one {@code pg_dump -Fd} and streams each file into the repository as soon as it is certain pg_dump has closed
 * it, deleting it locally, so the scratch directory holds the files being written and a short backlog instead of
 * the whole dump.
 *
 * <p>When is a file closed? With {@code --jobs} &gt; 1, when pg_dump reports its item finished on standard error
 * ({@link DumpProgress}). Object names can imitate those reports, but pg_dump reports every data item exactly once
 * when it succeeds: a report of a file that is not there is ignored, and a second report of a file fails the backup
 * (the first may have sent a file still being written), so a backup that succeeds acted on real reports only. With one
 * job, when a file created after it appears ({@link CreationOrder}). Whatever was not known closed while pg_dump ran
 * ({@code toc.dat}, the last file, anything of an unknown kind) is sent once it has exited successfully.
 *
 * <p>pg_dump is paused while every uploader is busy ({@link DumpPause}), so scratch holds about the files being
 * written, the files being sent and those finished in between, instead of everything pg_dump can write while the
 * uploads fall behind. The directory is listed every {@value #LIST_EVERY_MILLIS} ms to measure the scratch it takes.
 */
final class DirectoryDump {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryDump.class);
    /** The shortest pause between two listings; a slow listing (a huge directory) waits four times its duration. */
    private static final long LIST_EVERY_MILLIS = 5;
    /** How long pg_dump's standard error may stay open after it exited. */
    private static final long STDERR_GRACE_SECONDS = 30;

    private final BackupContext ctx;
    private final Path dir;
    private final String database;
    private final boolean parallel;
    private final DirectoryUploads uploads;
    private final CreationOrder creationOrder = new CreationOrder();
    private final CountDownLatch stderrEnded = new CountDownLatch(1);
    /** written by the lister thread only */
    private volatile long peakBytes;

    /**
     * @param ctx      where the files go
     * @param dir      the directory pg_dump is told to create
     * @param database the database being dumped
     * @param attrs    the attributes of every file's object ({@code file} is added)
     * @param jobs     pg_dump's {@code --jobs}
     */
    DirectoryDump(BackupContext ctx, Path dir, String database, Map<String, String> attrs, int jobs) {
        this.ctx = ctx;
        this.dir = dir;
        this.database = database;
        this.parallel = jobs > 1;
        this.uploads = new DirectoryUploads(ctx, dir, database, attrs, Math.max(2, jobs), jobs);
    }

    /**
     * @param session the tools
     * @param command {@code pg_dump -Fd -v ... -f dir}
     * @return the objects written, one per file
     */
    List<StoredObject> run(PgSession session, ToolCommand command) {
        Lister lister = new Lister();
        DumpThrottle throttle = null;
        try {
            try (ToolProcess p = session.start(command, listener())) {
                uploads.attach(p);
                closeInput(p);
                ToolStreams.drain(p);
                lister.start();
                throttle = DumpThrottle.start(uploads, ctx.processes(), p, command.timeout(), database);
                try {
                    awaitTool(p);
                } finally {
                    uploads.toolExited();
                    throttle.join();
                }
                awaitStderrEnd();
            }
            lister.stop();
            uploads.sweep(listing(true).stream().map(f -> f.getFileName().toString()).toList());
            List<StoredObject> objects = uploads.awaitAll();
            finish(objects, throttle.pauses());
            return objects;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot list pg_dump's output directory " + dir + ": "
                    + e, e);
        } finally {
            lister.stop();
            uploads.abandon();
        }
    }

    private StderrListener listener() {
        return new StderrListener() {
            @Override
            public boolean onLine(String line) {
                if (parallel) {
                    for (DumpProgress.FinishedItem item : DumpProgress.finishedItems(line)) {
                        reported(item);
                    }
                }
                return DumpProgress.isChatter(line);
            }

            @Override
            public void onEnd() {
                stderrEnded.countDown();
            }
        };
    }

    private void reported(DumpProgress.FinishedItem item) {
        if (!item.blobs()) {
            uploads.claimReported(List.of(item.dumpId() + ".dat"));
            return;
        }
        List<String> files;
        try {
            files = DumpProgress.blobsFiles(dir, item.dumpId());
        } catch (IOException e) {
            // not there, or not complete: a report that is not real; the real one comes later
            uploads.ignoreReport();
            return;
        }
        uploads.claimReported(files);
    }

    private static void closeInput(ToolProcess p) {
        try {
            p.stdin().close();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot close the input of pg_dump", e);
        }
    }

    /** pg_dump's own failure wins, unless it was killed because an upload had failed first. */
    private void awaitTool(ToolProcess p) {
        try {
            p.await();
        } catch (ToolException e) {
            throw uploads.toolFailed(e);
        }
        uploads.throwIfFailed();
    }

    /** Every report must have been read before the rest is swept up: a late one would be a duplicate unnoticed. */
    private void awaitStderrEnd() {
        try {
            if (!stderrEnded.await(STDERR_GRACE_SECONDS, TimeUnit.SECONDS)) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "pg_dump exited but its standard error stayed"
                        + " open for " + STDERR_GRACE_SECONDS + " s; its progress reports cannot be trusted complete");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while reading pg_dump's progress", e);
        }
        uploads.throwIfFailed();
    }

    /** Measures the scratch taken and, with one job, hands over the files known closed. Never throws. */
    private void listOnce() {
        try {
            List<Path> files = listing(false);
            long bytes = 0;
            List<String> names = new ArrayList<>(files.size());
            for (Path f : files) {
                names.add(f.getFileName().toString());
                try {
                    bytes += Files.size(f);
                } catch (NoSuchFileException gone) {
                    // sent and deleted since the listing
                }
            }
            peakBytes = Math.max(peakBytes, bytes);
            uploads.observe(names);
            if (!parallel) {
                uploads.claimClosed(creationOrder.next(names));
            }
        } catch (IOException | RuntimeException e) {
            uploads.fail(new PgVaultException(ErrorCode.REPOSITORY, "cannot list pg_dump's output directory " + dir
                    + ": " + e, e));
        }
    }

    /** @param mustExist whether a missing directory is an error (after pg_dump succeeded) or not made yet */
    private List<Path> listing(boolean mustExist) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (NoSuchFileException e) {
            if (mustExist) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "pg_dump succeeded but its output directory " + dir
                        + " does not exist here (a launcher that runs pg_dump on another host cannot use the"
                        + " directory format)", e);
            }
            return List.of();
        }
    }

    private void finish(List<StoredObject> objects, int pauses) throws IOException {
        List<Path> left = listing(true);
        if (!left.isEmpty()) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "files of pg_dump's output were not sent: " + left);
        }
        if (objects.stream().noneMatch(o -> o.attribute("file").equals("toc.dat"))) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "pg_dump succeeded but wrote no toc.dat into " + dir);
        }
        long total = objects.stream().mapToLong(StoredObject::logicalBytes).sum();
        int early = uploads.claimedWhileRunning();
        LOG.info("pg_dump -Fd of database '{}': {} file(s), {} sent while pg_dump ran, which was paused {} time(s) for"
                + " the uploads; peak scratch {} of {} bytes ({}%)", database, objects.size(), early, pauses, peakBytes,
                total, total == 0 ? 0 : peakBytes * 100 / total);
        if (uploads.ignoredReports() > 0) {
            LOG.warn("pg_dump of database '{}' printed {} progress line(s) naming files that were not there; they were"
                    + " ignored (a database object named like pg_dump's progress lines?)", database,
                    uploads.ignoredReports());
        }
        if (parallel && early == 0 && objects.size() > 1) {
            LOG.warn("pg_dump of database '{}' reported no finished item, so its whole output was staged before"
                    + " it was sent; are its messages translated despite LC_MESSAGES=C?", database);
        }
    }

    /** Lists the directory from its own thread, as often as is cheap, until stopped. */
    private final class Lister {
        private final Thread thread = new Thread(this::loop, "pgdump-dir-lister");
        private volatile boolean running = true;

        private void start() {
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running) {
                long start = System.nanoTime();
                listOnce();
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                try {
                    Thread.sleep(Math.max(LIST_EVERY_MILLIS, 4 * took));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Waits for a listing in progress, so that nothing is handed over once the rest is swept up. */
        private void stop() {
            running = false;
            thread.interrupt();
            try {
                thread.join(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while stopping the directory listing",
                        e);
            }
            if (thread.isAlive()) {
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "listing pg_dump's output directory hangs");
            }
        }
    }
}
