package io.nomadcamel.jobs.scheduler;

import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;

import org.quartz.CronExpression;

/**
 * The slots of a recurring job's schedule, computed the same way on every instance: a cron expression's fire
 * times, or multiples of the interval since the epoch. Instances agree on slot times, so the database can refuse a
 * second run of the same slot.
 */
public final class Schedules {

    private Schedules() {
    }

    /** The first slot strictly after {@code after}. */
    public static Instant next(JobDefinition job, Instant after) {
        if (job.every() != null) {
            long period = job.every().toMillis();
            return Instant.ofEpochMilli((Math.floorDiv(after.toEpochMilli(), period) + 1) * period);
        }
        Date next = cron(job).getNextValidTimeAfter(Date.from(after));
        return next == null ? null : next.toInstant();
    }

    /** The latest slot in (since, at], or null if there is none. */
    public static Instant latestAtOrBefore(JobDefinition job, Instant since, Instant at) {
        List<Instant> slots = between(job, since, at, 1);
        return slots.isEmpty() ? null : slots.get(slots.size() - 1);
    }

    /** Slots in (from, to], oldest first, at most {@code limit} of the newest. */
    public static List<Instant> between(JobDefinition job, Instant from, Instant to, int limit) {
        List<Instant> slots = new ArrayList<>();
        if (job.every() != null) {
            long period = job.every().toMillis();
            long first = Math.floorDiv(from.toEpochMilli(), period) + 1;
            long last = Math.floorDiv(to.toEpochMilli(), period);
            for (long k = Math.max(first, last - limit + 1); k <= last; k++) {
                slots.add(Instant.ofEpochMilli(k * period));
            }
            return slots;
        }
        CronExpression expression = cron(job);
        Date cursor = Date.from(from);
        while (true) {
            cursor = expression.getNextValidTimeAfter(cursor);
            if (cursor == null || cursor.toInstant().isAfter(to)) {
                return slots;
            }
            slots.add(cursor.toInstant());
            if (slots.size() > limit) {
                slots.remove(0);
            }
        }
    }

    public static CronExpression cron(JobDefinition job) {
        try {
            CronExpression expression = new CronExpression(job.cron());
            expression.setTimeZone(TimeZone.getDefault());
            return expression;
        } catch (ParseException e) {
            throw new IllegalArgumentException("job " + job.id() + ": bad cron " + job.cron(), e);
        }
    }
}
