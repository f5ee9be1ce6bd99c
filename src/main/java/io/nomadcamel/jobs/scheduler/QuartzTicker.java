package io.nomadcamel.jobs.scheduler;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;

import javax.sql.DataSource;

import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz as the clock of recurring jobs: it fires each job's slots and calls back with the slot time; what a slot
 * means (run, skip, catch up) is decided by {@link Scheduler} and the database. On PostgreSQL Quartz uses its
 * clustered JDBC store, so a slot fires on one instance; on the embedded database, its RAM store.
 */
final class QuartzTicker {

    private static final String GROUP = "jobs";
    private static final String CALLBACK = "ncj.onSlot";

    private final Scheduler quartz;

    QuartzTicker(DataSource dataSource, boolean clustered, String instanceId, long clusterCheckinMillis,
            BiConsumer<String, Instant> onSlot) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", clustered ? "nomad-camel-jobs" : "ncj-" + instanceId);
        p.setProperty("org.quartz.scheduler.instanceId", instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        // read-only for Hawtio's Quartz view: the Jolokia policy allows no operation on it
        p.setProperty("org.quartz.scheduler.jmx.export", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        if (clustered) {
            String provider = "ncj-" + instanceId;
            DBConnectionManager.getInstance().addConnectionProvider(provider, new Provider(dataSource));
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", provider);
            p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(clusterCheckinMillis));
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        quartz = new StdSchedulerFactory(p).getScheduler();
        quartz.getContext().put(CALLBACK, onSlot);
    }

    void start() throws SchedulerException {
        quartz.start();
    }

    void shutdown() {
        try {
            quartz.shutdown(false);
        } catch (SchedulerException ignored) {
            // shutting down: nothing more to do
        }
    }

    /**
     * Schedules (or re-schedules) a recurring job to fire every slot after {@code after}, even one that passes
     * before Quartz starts (it fires late); misfires are left to the scheduler's catch-up.
     */
    void schedule(JobDefinition job, Instant after) throws SchedulerException {
        JobDetail detail = JobBuilder.newJob(SlotJob.class).withIdentity(job.id(), GROUP).storeDurably().build();
        TriggerBuilder<Trigger> trigger = TriggerBuilder.newTrigger().withIdentity(job.id(), GROUP).forJob(detail);
        Trigger built;
        if (job.cron() != null) {
            built = trigger.startAt(Date.from(after)).withSchedule(CronScheduleBuilder.cronSchedule(Schedules.cron(job))
                    .withMisfireHandlingInstructionDoNothing()).build();
        } else {
            built = trigger.startAt(Date.from(Schedules.next(job, after)))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(job.every().toMillis()).repeatForever()
                            .withMisfireHandlingInstructionNextWithRemainingCount())
                    .build();
        }
        quartz.scheduleJob(detail, Set.of(built), true);
    }

    void unschedule(String jobId) throws SchedulerException {
        quartz.deleteJob(JobKey.jobKey(jobId, GROUP));
    }

    Set<JobKey> scheduled() throws SchedulerException {
        return quartz.getJobKeys(GroupMatcher.jobGroupEquals(GROUP));
    }

    /**
     * Quartz instantiates this per fire; it hands the slot to the scheduler of this JVM's Quartz instance. Fires of
     * one job are handled one at a time and in order: when Quartz runs late it may fire two overdue slots at once,
     * and the later one taken first would record the earlier as a misfire.
     */
    @org.quartz.DisallowConcurrentExecution
    public static final class SlotJob implements Job {
        @Override
        @SuppressWarnings("unchecked")
        public void execute(JobExecutionContext context) {
            try {
                BiConsumer<String, Instant> onSlot =
                        (BiConsumer<String, Instant>) context.getScheduler().getContext().get(CALLBACK);
                onSlot.accept(context.getJobDetail().getKey().getName(), context.getScheduledFireTime().toInstant());
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Provider(DataSource dataSource) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool belongs to the application
        }

        @Override
        public void initialize() {
            // nothing to set up
        }
    }
}
