package io.pgvault.operations.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.pgvault.operations.schedule.JobOutcome;
import io.pgvault.operations.schedule.JobResult;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Meters of scheduled jobs, fed by {@link io.pgvault.operations.schedule.Scheduler.Builder#onResult}:
 *
 * <pre>{@code
 * JobMetrics jobMetrics = new JobMetrics(Clock.systemUTC());
 * Scheduler scheduler = Scheduler.builder().onResult(jobMetrics)...build();
 * jobMetrics.bindTo(registry);
 * }</pre>
 *
 * <ul>
 *   <li>{@code pgvault.job.results} — counter, tags {@code job}, {@code outcome} (a {@link JobOutcome} name): every
 *       handled fire;</li>
 *   <li>{@code pgvault.job.last.success} and {@code pgvault.job.last.success.age} — gauges in seconds, tag
 *       {@code job}: when the job last succeeded in this replica, and how long ago (NaN until it has).</li>
 * </ul>
 *
 * @since 0.2.0
 */
public final class JobMetrics implements MeterBinder, Consumer<JobResult> {
    private final Clock clock;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final Map<String, Stamp> lastSuccess = new ConcurrentHashMap<>();

    /** @param clock time source of the age gauges */
    public JobMetrics(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Registers the meters known now and those of jobs seen later. */
    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        lastSuccess.forEach((job, stamp) -> stamp.register(registry, "pgvault.job.last.success", Tags.of("job", job),
                "the last successful run of the job"));
    }

    /** @param result a handled fire */
    @Override
    public void accept(JobResult result) {
        Stamp stamp = lastSuccess.computeIfAbsent(result.job(), job -> {
            Stamp s = new Stamp(clock);
            registries.forEach(r -> s.register(r, "pgvault.job.last.success", Tags.of("job", job),
                    "the last successful run of the job"));
            return s;
        });
        if (result.outcome() == JobOutcome.SUCCEEDED) {
            stamp.advance(result.finishedAt());
        }
        for (MeterRegistry r : registries) {
            Counter.builder("pgvault.job.results").tags("job", result.job(), "outcome", result.outcome().name())
                    .description("handled fires of scheduled jobs").register(r).increment();
        }
    }

    @Override
    public String toString() {
        return "JobMetrics[" + lastSuccess.keySet() + "]";
    }
}
