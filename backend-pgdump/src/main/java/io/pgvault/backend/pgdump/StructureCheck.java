package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deep verification of a pg_dump set without restoring it: plain dumps must end with pg_dump's completion marker,
 * custom and directory archives must be readable end to end by {@code pg_restore}.
 */
final class StructureCheck {
    static final String DUMP_COMPLETE = "-- PostgreSQL database dump complete";
    static final String CLUSTER_DUMP_COMPLETE = "-- PostgreSQL database cluster dump complete";
    private static final int TAIL = 4096;

    private final PgDumpConfig config;

    StructureCheck(PgDumpConfig config) {
        this.config = config;
    }

    List<String> verify(BackupSet set, ReadContext ctx) {
        SetLayout layout;
        try {
            layout = SetLayout.of(set);
        } catch (PgVaultException e) {
            return List.of(e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        if (layout.databases().isEmpty()) {
            problems.add("the set holds no database dump");
        }
        PgSession tools = PgSession.offline(config.connection(), ctx.processes(), config);
        layout.globals().ifPresent(g -> guard(problems, g.name(),
                () -> checkMarker(ctx, g, CLUSTER_DUMP_COMPLETE, problems)));
        for (Map.Entry<String, List<StoredObject>> db : layout.databases().entrySet()) {
            List<StoredObject> objects = db.getValue();
            String name = objects.get(0).name();
            switch (layout.format()) {
                case PLAIN -> guard(problems, name, () -> checkMarker(ctx, objects.get(0), DUMP_COMPLETE, problems));
                case CUSTOM -> guard(problems, name, () -> checkCustom(tools, ctx, objects.get(0), problems));
                case DIRECTORY -> guard(problems, ObjectNames.dump(db.getKey(), DumpFormat.DIRECTORY),
                        () -> checkDirectory(tools, ctx, db.getKey(), objects, problems));
            }
        }
        return problems;
    }

    /** A damaged object or a failing tool is a problem of this object, and checking goes on with the next. */
    private static void guard(List<String> problems, String name, Runnable check) {
        try {
            check.run();
        } catch (IntegrityException | ToolException e) {
            problems.add(name + ": " + e.getMessage());
        } catch (PgVaultException e) {
            if (e.code() == ErrorCode.TOOL_MISSING || e.code() == ErrorCode.INTERRUPTED) {
                throw e;
            }
            problems.add(name + ": " + e.getMessage());
        }
    }

    private static void checkMarker(ReadContext ctx, StoredObject o, String marker, List<String> problems) {
        byte[] tail = new byte[TAIL];
        long total = 0;
        try (InputStream in = ctx.openObject(o)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n >= TAIL) {
                    System.arraycopy(buf, n - TAIL, tail, 0, TAIL);
                } else {
                    System.arraycopy(tail, n, tail, 0, TAIL - n);
                    System.arraycopy(buf, 0, tail, TAIL - n, n);
                }
                total += n;
            }
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read: " + e, e);
        }
        int len = (int) Math.min(total, TAIL);
        String end = new String(tail, TAIL - len, len, StandardCharsets.UTF_8);
        if (!end.contains(marker)) {
            problems.add(o.name() + ": does not end with '" + marker + "' (" + total
                    + " bytes): the dump is truncated or pg_dump did not finish");
        }
    }

    /** One decoding pass feeds both {@code pg_restore --list} and a full parse {@code pg_restore -f /dev/null}. */
    private void checkCustom(PgSession tools, ReadContext ctx, StoredObject o, List<String> problems) {
        ToolCommand list = tools.command("pg_restore").arg("--list").build();
        ToolCommand parse = tools.command("pg_restore").arg("-f", "/dev/null").build();
        try (ToolProcess lister = tools.start(list); ToolProcess parser = tools.start(parse)) {
            AtomicLong entries = new AtomicLong();
            Thread countEntries = countTocEntries(lister, entries);
            Thread drainParser = ToolStreams.drain(parser);
            OutputStream toLister = lister.stdin();
            OutputStream toParser = parser.stdin();
            boolean listerOpen = true;
            boolean parserOpen = true;
            try (InputStream in = ctx.openObject(o)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                // read to the end even if both tools stopped early: the decoder checks the digests at the end
                while ((n = in.read(buf)) >= 0) {
                    // --list stops reading after the table of contents; the full parse reads to the end
                    listerOpen = listerOpen && write(toLister, buf, n);
                    parserOpen = parserOpen && write(toParser, buf, n);
                }
            } catch (IOException e) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "cannot read: " + e, e);
            } catch (RuntimeException e) {
                lister.killTree();
                parser.killTree();
                throw e;
            }
            closeQuietly(toLister);
            closeQuietly(toParser);
            try {
                lister.await();
            } catch (ToolException e) {
                problems.add(o.name() + ": pg_restore --list cannot read the archive: " + e.stderrTail());
            }
            try {
                parser.await();
            } catch (ToolException e) {
                problems.add(o.name() + ": pg_restore cannot read the archive to its end: " + e.stderrTail());
            }
            join(countEntries);
            join(drainParser);
            if (entries.get() == 0 && problems.isEmpty()) {
                problems.add(o.name() + ": the archive's table of contents is empty");
            }
        }
    }

    private void checkDirectory(PgSession tools, ReadContext ctx, String database, List<StoredObject> objects,
            List<String> problems) {
        String prefix = ObjectNames.dump(database, DumpFormat.DIRECTORY);
        if (objects.stream().noneMatch(o -> o.attribute("file").equals("toc.dat"))) {
            problems.add(prefix + ": the directory dump has no toc.dat");
            return;
        }
        Path dir = ToolStreams.privateDirectory(ctx.scratchDirectory(), "verify-");
        try {
            checkDirectory(tools, ctx, prefix, objects, dir, problems);
        } finally {
            ToolStreams.deleteQuietly(dir);
        }
    }

    private void checkDirectory(PgSession tools, ReadContext ctx, String prefix, List<StoredObject> objects,
            Path dir, List<String> problems) {
        for (StoredObject o : objects) {
            String file = o.attribute("file");
            if (file.isEmpty() || file.contains("/") || file.startsWith(".")) {
                problems.add(o.name() + ": does not record a plain file name");
                return;
            }
            ToolStreams.materialize(ctx.openObject(o), dir.resolve(file));
        }
        String listing = tools.run(tools.command("pg_restore").arg("--list", "-Fd", dir.toString()).build())
                .stdout();
        if (listing.lines().noneMatch(l -> !l.isBlank() && !l.startsWith(";"))) {
            problems.add(prefix + ": the archive's table of contents is empty");
        }
        // the full parse also opens every data file the table of contents names
        tools.run(tools.command("pg_restore").arg("-Fd", "-f", "/dev/null", dir.toString()).build());
    }

    private static Thread countTocEntries(ToolProcess lister, AtomicLong entries) {
        Thread t = new Thread(() -> {
            try (InputStream out = lister.stdout()) {
                new String(out.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(l -> !l.isBlank() && !l.startsWith(";")).forEach(l -> entries.incrementAndGet());
            } catch (IOException e) {
                // the exit code tells
            }
        }, "pg_restore-list-stdout");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean write(OutputStream out, byte[] buf, int n) {
        try {
            out.write(buf, 0, n);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // the tool already stopped reading; its exit code tells whether that was fine
        }
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted", e);
        }
    }
}
