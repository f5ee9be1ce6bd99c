package io.nomadcamel.jobs.maintenance;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import io.nomadcamel.jobs.Durations;
import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * What a route asks of offline maintenance, read from the body map it hands over:
 * <ul>
 *   <li>{@code job_name} (required) and {@code group_name} (default: the job name): the Nomad task group to take
 *   offline;</li>
 *   <li>{@code command} (required): the shell command to run on the group's node while it is stopped; the route is
 *   responsible for quoting data inside it ({@code ShellQuoting}). {@value #CONTAINER_NAME} in it becomes the name
 *   of this maintenance's container ({@code ncj-maint-<intent id>}): a command that runs a container must name it so
 *   ({@code docker run --rm --name {container_name} ...}), since only a named container can be removed before the
 *   scale-back;</li>
 *   <li>{@code measure_path} (optional): a directory measured with {@code du -sb} before and after;</li>
 *   <li>{@code drain_timeout}, {@code start_timeout}, {@code command_timeout} (optional durations such as
 *   {@code 90s}): override the {@code maintenance.*} defaults;</li>
 *   <li>{@code purpose} (optional): a word for Nomad's scaling messages, default the job type.</li>
 * </ul>
 */
public record MaintenanceRequest(String job, String group, String command, String measurePath, Duration drainTimeout,
        Duration startTimeout, Duration commandTimeout, String purpose) {

    public static MaintenanceRequest from(Map<String, Object> body, MaintenanceSettings defaults, String type) {
        String job = text(body, "job_name", null);
        if (job == null) {
            throw new MaintenanceException("job_name is required: the Nomad job to take offline");
        }
        String command = text(body, "command", null);
        if (command == null) {
            throw new MaintenanceException("command is required: what to run on the node while " + job
                    + " is stopped");
        }
        if (runsUnnamedContainer(command)) {
            throw new MaintenanceException("command runs a container (docker run) without --name " + CONTAINER_NAME
                    + ": an unnamed container cannot be removed before " + job + " is scaled back, and would go on "
                    + "working while it runs again");
        }
        return new MaintenanceRequest(job, text(body, "group_name", job), command, text(body, "measure_path", null),
                duration(body, "drain_timeout", defaults.drainTimeout()),
                duration(body, "start_timeout", defaults.startTimeout()),
                duration(body, "command_timeout", defaults.commandTimeout()),
                text(body, "purpose", type));
    }

    /** The placeholder for the container's name in a command. */
    public static final String CONTAINER_NAME = "{container_name}";
    private static final Pattern DOCKER_RUN = Pattern.compile("(^|[\\s;&|(`])(\\S*/)?docker\\s+(container\\s+)?run\\b");

    /** The name of the container of an intent's command: also what finds it on the node after a crash. */
    public static String containerName(long intentId) {
        return "ncj-maint-" + intentId;
    }

    /** A {@code docker run} without {@value #CONTAINER_NAME}: its container could not be removed by name. */
    public static boolean runsUnnamedContainer(String command) {
        return DOCKER_RUN.matcher(command).find() && !command.contains(CONTAINER_NAME);
    }

    /** Whether the command runs a container named by {@value #CONTAINER_NAME}. */
    public boolean container() {
        return command.contains(CONTAINER_NAME);
    }

    /** The command as run, with the container's name in place of {@value #CONTAINER_NAME}. */
    public String command(String containerName) {
        return containerName == null ? command : command.replace(CONTAINER_NAME, ShellQuoting.quote(containerName));
    }

    /** {@code registry/registry}: job and group, as messages name them. */
    public String target() {
        return job + "/" + group;
    }

    static String text(Map<String, Object> body, String key, String defaultValue) {
        Object value = body.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String s)) {
            throw new MaintenanceException(key + " must be a string, got " + value);
        }
        return s.isBlank() ? defaultValue : s.trim();
    }

    static Duration duration(Map<String, Object> body, String key, Duration defaultValue) {
        String text = text(body, key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new MaintenanceException(key + " must be a positive duration such as 90s, 10m or 2h, got '" + text
                    + "'");
        }
    }
}
