package io.pgvault.examples.torture;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ReadContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A backup whose bytes are a function of its id and object names, so that any process can tell whether a set's
 * objects are the ones that set wrote (a deep verify here recomputes them). Between objects it pauses, so backups
 * overlap prunes, syncs and kills; one object per set is large enough to span several buffers.
 */
final class TortureStrategy implements BackupStrategy {
    private final Duration maxPause;

    TortureStrategy(Duration maxPause) {
        this.maxPause = maxPause;
    }

    @Override
    public String name() {
        return "torture";
    }

    static int sizeOf(String id, String name) {
        return 1_000 + Math.floorMod((id + name).hashCode(), 180_000);
    }

    static void content(String id, String name, OutputStream out) throws IOException {
        byte[] line = (id + "/" + name + " ").getBytes(StandardCharsets.US_ASCII);
        int size = sizeOf(id, name);
        byte[] block = new byte[8192];
        long state = (id + name).hashCode();
        int written = 0;
        while (written < size) {
            int n = Math.min(block.length, size - written);
            for (int i = 0; i < n; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                block[i] = (i % 64) < line.length ? line[i % 64] : (byte) ('a' + (int) ((state >>> 33) % 26));
            }
            out.write(block, 0, n);
            written += n;
        }
    }

    static String sha256(String id, String name) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            content(id, name, new OutputStream() {
                @Override
                public void write(int b) {
                    md.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    md.update(b, off, len);
                }
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public io.pgvault.spi.SetFacts backup(BackupContext ctx) {
        List<StoredObject> objects = new ArrayList<>();
        String id = ctx.id().value();
        int count = 1 + ThreadLocalRandom.current().nextInt(3);
        for (int i = 0; i < count; i++) {
            String name = "db" + i + ".sql";
            objects.add(ctx.writeObject(name, Map.of(), out -> content(id, name, out)));
            pause();
        }
        return new io.pgvault.spi.SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "cluster", Optional.empty(), Map.of());
    }

    private void pause() {
        long millis = maxPause.toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(ThreadLocalRandom.current().nextLong(millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RepositoryException("interrupted", e);
            }
        }
    }

    @Override
    public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
        List<String> problems = verifyStructure(set, ctx);
        if (!problems.isEmpty()) {
            throw new io.pgvault.api.IntegrityException(String.join("; ", problems));
        }
        return new RestoreResult(set, List.of("cluster"), Duration.ZERO);
    }

    /** Decodes every object and compares it with what this set's id says it must hold. */
    @Override
    public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
        List<String> problems = new ArrayList<>();
        for (StoredObject o : set.objects()) {
            try (InputStream in = ctx.openObject(o)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    md.update(buffer, 0, n);
                }
                String found = HexFormat.of().formatHex(md.digest());
                if (!found.equals(sha256(set.id().value(), o.name()))) {
                    problems.add(o.key() + " does not hold what set " + set.id() + " wrote");
                }
            } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
                problems.add(o.key() + ": " + e);
            }
        }
        return problems;
    }
}
