package io.pgvault.api.tier;

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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Shared doubles of the tier tests: a strategy writing three objects, and a clock the test moves. */
final class TierTesting {
    private TierTesting() {
    }

    /** Writes three objects whose content names the backup's start time; restores by reading them back. */
    static final class ThreeObjects implements BackupStrategy {
        final List<String> restored = new ArrayList<>();
        /** How many backups the strategy was asked for. */
        volatile int backups;

        static String content(String name, Instant at) {
            return ("-- " + name + " at " + at + "\nINSERT INTO t VALUES (1);\n").repeat(300);
        }

        @Override
        public String name() {
            return "three";
        }

        @Override
        public io.pgvault.spi.SetFacts backup(BackupContext ctx) {
            backups++;
            List<StoredObject> objects = new ArrayList<>();
            for (String name : List.of("a.sql", "b.sql", "c.sql")) {
                objects.add(ctx.writeObject(name, Map.of("database", "app"),
                        out -> out.write(content(name, ctx.startedAt()).getBytes(StandardCharsets.UTF_8))));
            }
            return new io.pgvault.spi.SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "app", Optional.empty(), Map.of());
        }

        @Override
        public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
            restored.clear();
            for (StoredObject o : set.objects().stream().filter(o -> !o.isSetKey()).toList()) {
                try (InputStream in = ctx.openObject(o)) {
                    restored.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new RepositoryException("read of " + o.key() + " failed", e);
                }
            }
            return new RestoreResult(set, List.of("app"), Duration.ZERO);
        }

        @Override
        public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
            return List.of();
        }
    }

    /** A clock that stands still until the test moves it. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
