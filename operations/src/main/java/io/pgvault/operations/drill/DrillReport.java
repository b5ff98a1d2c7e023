package io.pgvault.operations.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupId;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a restore drill did and found. It passed when the restore succeeded, the restored server answered, and no
 * check failed (skipped checks do not fail it).
 *
 * @param setId      the drilled set; empty when there was none to drill
 * @param strategy   the strategy that wrote the set, e.g. {@code pgdump} or {@code pgbackrest}
 * @param source     what the set holds (a database, {@code *}, a stanza)
 * @param target     where it was restored, e.g. {@code throwaway PostgreSQL 15 on 127.0.0.1:41234}, with a PITR
 *                   target if one was asked for
 * @param checks     every check, in the order run
 * @param rto        measured recovery time: from the start of the restore until the restored server answered the
 *                   first check query; empty when it never answered
 * @param duration   the whole drill, provisioning and teardown of the throwaway server included
 * @param problems   failures outside the checks (no set, damaged set, failed restore, server did not start)
 * @param warnings   trouble that does not fail the drill (e.g. the throwaway directory could not be removed)
 * @param startedAt  when the drill started
 * @param finishedAt when it finished
 * @since 0.2.0
 */
public record DrillReport(Optional<BackupId> setId, String strategy, String source, String target,
        List<DrillCheck> checks, Optional<Duration> rto, Duration duration, List<String> problems,
        List<String> warnings, Instant startedAt, Instant finishedAt) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Checks the components; copies the lists. */
    public DrillReport {
        setId = setId == null ? Optional.empty() : setId;
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        checks = List.copyOf(checks);
        rto = rto == null ? Optional.empty() : rto;
        Objects.requireNonNull(duration, "duration");
        problems = List.copyOf(problems);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    /** @return whether the set restored, the server answered, and no check failed */
    public boolean passed() {
        return problems.isEmpty() && rto.isPresent() && checks.stream().allMatch(DrillCheck::ok);
    }

    /** @return the checks that failed */
    public List<DrillCheck> failedChecks() {
        return checks.stream().filter(c -> !c.ok()).toList();
    }

    /** @return a few lines for a log, a mail or a ticket */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append("restore drill ").append(passed() ? "PASSED" : "FAILED").append(": set ")
                .append(setId.map(BackupId::value).orElse("(none)")).append(" (").append(strategy)
                .append(source.isEmpty() ? "" : ", " + source).append(")\n");
        b.append("  target:   ").append(target).append('\n');
        b.append("  RTO:      ").append(rto.map(DrillReport::seconds).orElse("not reached")).append('\n');
        b.append("  duration: ").append(seconds(duration)).append(" (").append(startedAt).append(" .. ")
                .append(finishedAt).append(")\n");
        problems.forEach(p -> b.append("  PROBLEM:  ").append(p).append('\n'));
        for (DrillCheck c : checks) {
            b.append("  ").append(String.format("%-7s", c.outcome())).append(' ').append(c.name());
            if (!c.expected().isEmpty() || !c.actual().isEmpty()) {
                b.append(": expected ").append(c.expected()).append(", actual ")
                        .append(c.actual().isEmpty() ? "-" : c.actual());
            }
            if (!c.detail().isEmpty()) {
                b.append(" (").append(c.detail()).append(')');
            }
            b.append('\n');
        }
        warnings.forEach(w -> b.append("  warning:  ").append(w).append('\n'));
        return b.toString();
    }

    /** @return the report as a JSON object (times ISO-8601, durations in milliseconds) */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toTree());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    ObjectNode toTree() {
        ObjectNode o = JSON.createObjectNode();
        o.put("setId", setId.map(BackupId::value).orElse(null));
        o.put("strategy", strategy);
        o.put("source", source);
        o.put("target", target);
        o.put("passed", passed());
        if (rto.isPresent()) {
            o.put("rtoMillis", rto.get().toMillis());
        } else {
            o.putNull("rtoMillis");
        }
        o.put("durationMillis", duration.toMillis());
        o.put("startedAt", startedAt.toString());
        o.put("finishedAt", finishedAt.toString());
        ArrayNode cs = o.putArray("checks");
        for (DrillCheck c : checks) {
            cs.addObject().put("name", c.name()).put("outcome", c.outcome().name()).put("expected", c.expected())
                    .put("actual", c.actual()).put("detail", c.detail());
        }
        problems.forEach(o.putArray("problems")::add);
        warnings.forEach(o.putArray("warnings")::add);
        return o;
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
