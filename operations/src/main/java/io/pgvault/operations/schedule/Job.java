package io.pgvault.operations.schedule;

import io.pgvault.api.ConfigurationException;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A named task on a cron schedule, with its misfire policy and the role it runs on. Immutable.
 *
 * <pre>{@code
 * Job weeklyFull = Job.builder("weekly-full").cron("0 2 * * SUN").task(ctx -> full.backup())
 *         .runOn(RunOn.LEADER_ONLY).build();
 * Job dailyIncr = Job.builder("daily-incr").cron("0 2 * * MON-SAT").task(ctx -> incr.backup())
 *         .runOn(RunOn.LEADER_ONLY).build();
 * Job monthlyDrill = Job.builder("monthly-drill").cron("0 0 4 1 * ?").task(ctx -> drill.run())
 *         .misfire(MisfirePolicy.SKIP).build();
 * }</pre>
 *
 * @since 0.2.0
 */
public final class Job {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final String name;
    private final CronSchedule schedule;
    private final JobTask task;
    private final MisfirePolicy misfire;
    private final Duration misfireThreshold;
    private final RunOn runOn;

    private Job(Builder b, CronSchedule schedule) {
        this.name = b.name;
        this.schedule = schedule;
        this.task = b.task;
        this.misfire = b.misfire;
        this.misfireThreshold = b.misfireThreshold;
        this.runOn = b.runOn;
    }

    /**
     * @param name the job's name: letters, digits, {@code .}, {@code _}, {@code -}, at most 100 characters; it
     *             identifies the job in the job store and derives its advisory-lock key, so keep it stable
     * @return a builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the job's name */
    public String name() {
        return name;
    }

    /** @return when it fires */
    public CronSchedule schedule() {
        return schedule;
    }

    /** @return what it does */
    public JobTask task() {
        return task;
    }

    /** @return what happens after missed fires */
    public MisfirePolicy misfire() {
        return misfire;
    }

    /** @return how late a fire may be handled and still count as on time */
    public Duration misfireThreshold() {
        return misfireThreshold;
    }

    /** @return on which role of the guarded server it runs */
    public RunOn runOn() {
        return runOn;
    }

    @Override
    public String toString() {
        return "Job[" + name + ", " + schedule + ", misfire " + misfire + ", run on " + runOn + "]";
    }

    /** Builds a {@link Job}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private final String name;
        private String cron;
        private ZoneId zone = ZoneId.of("UTC");
        private JobTask task;
        private MisfirePolicy misfire = MisfirePolicy.RUN_ONCE;
        private Duration misfireThreshold = Duration.ofMinutes(1);
        private RunOn runOn = RunOn.ANY;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * @param expression a 5-field Unix, 6-field (seconds first) Spring/Quartz or 7-field Quartz expression
         *                   (required; see {@link CronSchedule})
         * @return this
         */
        public Builder cron(String expression) {
            this.cron = expression;
            return this;
        }

        /** @param zone the zone the expression is evaluated in; default UTC @return this */
        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        /** @param task what to do (required) @return this */
        public Builder task(JobTask task) {
            this.task = task;
            return this;
        }

        /** @param misfire what to do after missed fires; default {@link MisfirePolicy#RUN_ONCE} @return this */
        public Builder misfire(MisfirePolicy misfire) {
            this.misfire = misfire;
            return this;
        }

        /**
         * @param threshold how late after its fire time a fire is still on time (not a misfire); default 1 minute
         * @return this
         */
        public Builder misfireThreshold(Duration threshold) {
            this.misfireThreshold = threshold;
            return this;
        }

        /** @param runOn the guarded server's role the job needs; default {@link RunOn#ANY} @return this */
        public Builder runOn(RunOn runOn) {
            this.runOn = runOn;
            return this;
        }

        /**
         * @return the job
         * @throws ConfigurationException listing every problem (name, cron expression, task, policy, threshold)
         */
        public Job build() {
            List<String> problems = new ArrayList<>();
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add("job name '" + name + "' must be 1-100 characters of letters, digits, '.', '_', '-', "
                        + "starting with a letter or digit");
            }
            String label = "job " + name + ": ";
            CronSchedule schedule = null;
            if (zone == null) {
                problems.add(label + "zone must not be null");
            } else {
                try {
                    schedule = CronSchedule.parse(cron, zone);
                } catch (ConfigurationException e) {
                    e.problems().forEach(p -> problems.add(label + p));
                }
            }
            if (task == null) {
                problems.add(label + "task is required");
            }
            if (misfire == null) {
                problems.add(label + "misfire policy must not be null");
            }
            if (runOn == null) {
                problems.add(label + "runOn must not be null");
            }
            if (misfireThreshold == null || misfireThreshold.isNegative()) {
                problems.add(label + "misfireThreshold must be zero or positive, was " + misfireThreshold);
            }
            ConfigurationException.throwIfAny(problems);
            return new Job(this, schedule);
        }
    }
}
