package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.process.ToolProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The uploads of one directory dump: every file is claimed once, streamed into the repository by a small pool of
 * threads and deleted. The first failure stops everything: pg_dump is killed, queued uploads are dropped and those in
 * progress abandoned, and no method returns while an upload is still running.
 */
final class DirectoryUploads {
    private static final int BUFFER = 64 * 1024;

    private final BackupContext ctx;
    private final Path dir;
    private final String database;
    private final Map<String, String> attrs;
    private final int uploaders;
    private final int jobs;
    private final ExecutorService pool;

    private final Object lock = new Object();
    private final Set<String> claimed = new HashSet<>();
    private final Map<String, StoredObject> uploaded = new TreeMap<>();
    private int waiting;
    private int running;
    private int claimedWhileRunning;
    private int ignoredReports;
    private boolean swept;
    private boolean toolExited;
    /** files in the directory, as last listed, that nobody has claimed yet (toc.dat aside) */
    private int unclaimed;
    /** the first failure of an upload or of pg_dump's reports (which killed pg_dump), or pg_dump's own */
    private Throwable failure;
    private ToolProcess process;
    /** set with {@link #failure}, read by uploads between chunks */
    private volatile boolean stopped;

    DirectoryUploads(BackupContext ctx, Path dir, String database, Map<String, String> attrs, int uploaders,
            int jobs) {
        this.jobs = jobs;
        this.ctx = ctx;
        this.dir = dir;
        this.database = database;
        this.attrs = attrs;
        this.uploaders = uploaders;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(uploaders, r -> {
            Thread t = new Thread(r, "pgdump-upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** @param p the running pg_dump, killed if anything fails */
    void attach(ToolProcess p) {
        boolean kill;
        synchronized (lock) {
            process = p;
            kill = failure != null;
        }
        if (kill) {
            p.killTree();
        }
    }

    /**
     * @param files reported finished by pg_dump, together (a table's file, or a large-objects item's files). A
     *              report of a file that is not there is ignored: it is not real, and nothing was sent on its word.
     *              A second report of a file is refused: one of the two was not real, and the first may have sent a
     *              file pg_dump was still writing
     */
    void claimReported(List<String> files) {
        String duplicate = null;
        synchronized (lock) {
            if (stopped || swept) {
                return;
            }
            for (String f : files) {
                if (claimed.contains(f)) {
                    duplicate = f;
                    break;
                }
            }
            if (duplicate == null) {
                if (files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f), LinkOption.NOFOLLOW_LINKS))) {
                    submit(files);
                } else {
                    ignoredReports++;
                }
            }
        }
        if (duplicate != null) {
            fail(refused("pg_dump reported " + duplicate + " finished twice"));
        }
    }

    /** A report that could not be acted on (its files unreadable or not there) is ignored. */
    void ignoreReport() {
        synchronized (lock) {
            ignoredReports++;
        }
    }

    /** @param files known closed while pg_dump runs; nothing is taken once the rest has been swept up */
    void claimClosed(List<String> files) {
        synchronized (lock) {
            if (!stopped && !swept) {
                submit(files.stream().filter(f -> !claimed.contains(f)).toList());
            }
        }
    }

    /** @param names every file in the directory after pg_dump exited successfully: those not claimed yet are sent */
    void sweep(List<String> names) {
        String odd = null;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            swept = true;
            List<String> rest = names.stream().filter(f -> !claimed.contains(f)).toList();
            for (String f : rest) {
                if (!Files.isRegularFile(dir.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
                    odd = f;
                }
            }
            if (odd == null) {
                submit(rest);
            }
        }
        if (odd != null) {
            fail(new PgVaultException(ErrorCode.TOOL_FAILED, "pg_dump's output directory " + dir + " holds " + odd
                    + ", which is not a regular file"));
        }
    }

    /** Under the lock. */
    private void submit(List<String> files) {
        claimed.addAll(files);
        waiting += files.size();
        lock.notifyAll();
        if (!swept) {
            claimedWhileRunning += files.size();
        }
        for (String f : files) {
            pool.execute(() -> upload(f));
        }
    }

    /**
     * Waits until pg_dump should be paused or resumed: paused while every uploader is busy (counting files finished
     * but not claimed yet as waiting), so that files finished meanwhile do not pile up in scratch.
     *
     * @param paused whether it is paused now
     * @return the opposite of {@code paused} once that is wanted; empty once pausing no longer matters (pg_dump
     *         exited, or the dump failed)
     * @throws InterruptedException when interrupted
     */
    Optional<Boolean> awaitPauseChange(boolean paused) throws InterruptedException {
        synchronized (lock) {
            while (!stopped && !toolExited && backlogged() == paused) {
                lock.wait();
            }
            return stopped || toolExited ? Optional.empty() : Optional.of(!paused);
        }
    }

    /**
     * Under the lock. The files being sent, those waiting for an uploader, and those on disk beyond the ones being
     * written that are not known finished yet (pg_dump has not reported them, or a newer file has not shown them
     * closed): a measure for pausing only, never for sending. The last kind counts only while something is being
     * sent: those files become known only once pg_dump goes on, so a pause must always end with the uploads.
     */
    private boolean backlogged() {
        int sending = running + waiting;
        return sending > 0 && sending + Math.max(0, unclaimed - jobs) >= uploaders;
    }

    /** @param names the files in the directory now, as listed */
    void observe(List<String> names) {
        synchronized (lock) {
            int n = 0;
            for (String f : names) {
                if (!claimed.contains(f) && !f.equals("toc.dat")) {
                    n++;
                }
            }
            if (n != unclaimed) {
                unclaimed = n;
                lock.notifyAll();
            }
        }
    }

    /** pg_dump has exited: nothing is to be paused any more. */
    void toolExited() {
        synchronized (lock) {
            toolExited = true;
            lock.notifyAll();
        }
    }

    private void upload(String file) {
        synchronized (lock) {
            waiting--;
            lock.notifyAll();
            if (stopped) {
                return;
            }
            running++;
        }
        try {
            Path path = dir.resolve(file);
            Map<String, String> fileAttrs = new LinkedHashMap<>(attrs);
            fileAttrs.put("file", file);
            StoredObject o = ctx.writeObject(ObjectNames.directoryFile(database, file), fileAttrs,
                    out -> copy(path, out));
            Files.delete(path);
            synchronized (lock) {
                uploaded.put(file, o);
            }
        } catch (IOException e) {
            fail(new RepositoryException("cannot delete " + file + " from pg_dump's output directory " + dir
                    + " after sending it: " + e, e));
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            synchronized (lock) {
                running--;
                lock.notifyAll();
            }
        }
    }

    private void copy(Path file, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (stopped) {
                    throw new IOException("abandoned: the backup of database '" + database + "' failed");
                }
                out.write(buf, 0, n);
            }
        }
    }

    /** Records the first failure and stops everything; later ones are consequences. */
    void fail(Throwable t) {
        ToolProcess p;
        synchronized (lock) {
            if (failure != null) {
                return;
            }
            failure = t;
            stopped = true;
            p = process;
            lock.notifyAll();
        }
        if (p != null) {
            p.killTree();
        }
    }

    /**
     * @param e pg_dump's failure
     * @return what to throw: pg_dump's own failure, unless an upload or a bad report failed first and killed it
     *         (then that, with pg_dump's suppressed)
     */
    RuntimeException toolFailed(ToolException e) {
        synchronized (lock) {
            stopped = true;
            lock.notifyAll();
            Throwable first = failure;
            if (first == null) {
                failure = e;
                return e;
            }
            if (first != e) {
                // uploads do not fail because pg_dump does: the first failure killed it
                first.addSuppressed(e);
            }
            return unchecked(first);
        }
    }

    /** Throws the first failure, if any. */
    void throwIfFailed() {
        synchronized (lock) {
            if (failure != null) {
                throw unchecked(failure);
            }
        }
    }

    /** @return the objects written once every upload has ended; throws the first failure */
    List<StoredObject> awaitAll() {
        synchronized (lock) {
            while (waiting + running > 0 && failure == null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while sending pg_dump's files", e));
                }
            }
            throwIfFailed();
            if (!uploaded.keySet().equals(claimed)) {
                Set<String> missing = new HashSet<>(claimed);
                missing.removeAll(uploaded.keySet());
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "files of pg_dump's output were claimed but not"
                        + " sent: " + missing);
            }
            return new ArrayList<>(uploaded.values());
        }
    }

    /** @return how many reports of pg_dump named files that were not there */
    int ignoredReports() {
        synchronized (lock) {
            return ignoredReports;
        }
    }

    /** @return how many files were claimed while pg_dump ran, rather than swept up after it */
    int claimedWhileRunning() {
        synchronized (lock) {
            return claimedWhileRunning;
        }
    }

    /** Stops taking work and waits until no upload is running; always called last. */
    void abandon() {
        boolean interrupted = false;
        synchronized (lock) {
            stopped = true;
            lock.notifyAll();
            // never return while a write is in flight: the set would be sealed under it
            while (waiting + running > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        pool.shutdown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static IntegrityException refused(String what) {
        return new IntegrityException(what + ": is a database object named to imitate pg_dump's progress lines?"
                + " The backup is refused rather than risk storing a file pg_dump was still writing");
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new PgVaultException(ErrorCode.TOOL_FAILED, t.toString(), t);
    }
}
