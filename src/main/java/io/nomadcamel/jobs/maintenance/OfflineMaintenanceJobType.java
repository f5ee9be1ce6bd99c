package io.nomadcamel.jobs.maintenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.cleanup.NodeCleanupJobType;
import io.nomadcamel.jobs.scheduler.InputSchema;
import io.nomadcamel.jobs.scheduler.JobType;
import io.nomadcamel.jobs.scheduler.Prerequisites;
import io.nomadcamel.jobs.ssh.ShellQuoting;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/**
 * The contract of an offline-maintenance job written in YAML only (an aptly cleanup): "stop this Nomad job, run this
 * command on its node against this data dir, measure the dir, start the job again". The route file declares it as a
 * bean (YAML {@code beans:}, constructor arguments: type, description, default job, default data dir, the setting
 * holding the command template and its default) and calls its {@link #plan} and {@link #report}; the scheduler finds
 * it in Camel's registry like the {@code ServiceLoader} types, so the job's input is checked at every door and its
 * readiness shows, with no Java of the job's own.
 *
 * <p>Input: {@code job_name}, {@code group_name} (default: the job name), {@code data_dir} (absolute, normalised;
 * measured with {@code du -sb} before and after, and {@code {data_dir}} in the command, shell-quoted),
 * {@code drain_timeout}, {@code start_timeout}, {@code command_timeout}. The command comes from a setting, never from
 * input; {@code {container_name}} in it is left to the building block ({@link MaintenanceRequest}).
 */
public final class OfflineMaintenanceJobType extends JobType {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{data_dir\\}");

    private final String commandSetting;
    private final String defaultCommand;

    public OfflineMaintenanceJobType(String type, String description, String defaultJob, String defaultDataDir,
            String commandSetting, String defaultCommand) {
        super(type, description, InputSchema.of(type)
                .text("job_name", defaultJob, "the Nomad job to stop while the command runs")
                .text("group_name", null, "its task group (default: job_name)")
                .absolutePath("data_dir", defaultDataDir, "the data dir on its node: {data_dir} in the command, "
                        + "measured before and after")
                .duration("drain_timeout", "how long the job may take to stop (default maintenance.drain-timeout)")
                .duration("start_timeout", "how long it may take to run again (default maintenance.start-timeout)")
                .duration("command_timeout", "how long the command may run (default maintenance.command-timeout)")
                .build());
        this.commandSetting = commandSetting;
        this.defaultCommand = defaultCommand;
        // a default that breaks the rules would make every job of the type not ready: say so when the route loads
        String problem = commandProblem(defaultCommand);
        if (problem != null) {
            throw new IllegalArgumentException(type + ": the default command " + problem + ": '" + defaultCommand
                    + "'");
        }
    }

    /** Checks the job's input (naming any bad field) and builds the maintenance request the steps read. */
    public Map<String, Object> plan(@Body Map<String, Object> input, Exchange exchange) {
        Map<String, Object> in = input(null).check(input);
        String dataDir = (String) in.get("data_dir");
        String template = Settings.of(exchange.getContext()).string(commandSetting, defaultCommand);
        String problem = commandProblem(template);
        if (problem != null) {
            throw new MaintenanceException("Setting " + commandSetting + " (environment variable "
                    + Settings.envName(commandSetting) + ") " + problem);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("job_name", in.get("job_name"));
        request.put("group_name", in.getOrDefault("group_name", in.get("job_name")));
        request.put("purpose", type());
        request.put("command", render(template, dataDir));
        request.put("measure_path", dataDir);
        for (String timeout : List.of("drain_timeout", "start_timeout", "command_timeout")) {
            if (in.get(timeout) != null) {
                request.put(timeout, in.get(timeout));
            }
        }
        return request;
    }

    /** The run's result: where it ran, the sizes, the command's exit and output (cut), the compensation. */
    public Map<String, Object> report(@Body Map<String, Object> done) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (String key : List.of("node_name", "node_addr", "measure_path", "before_bytes", "after_bytes",
                "command_exit", "container_name")) {
            if (done.get(key) != null) {
                result.put(key.equals("measure_path") ? "data_dir" : key, done.get(key));
            }
        }
        if (done.get("before_bytes") instanceof Number before && done.get("after_bytes") instanceof Number after) {
            result.put("bytes_freed", before.longValue() - after.longValue());
        }
        result.put("output", tail(String.valueOf(done.getOrDefault("command_stdout", "")), 4000));
        if (done.get("compensation") != null) {
            result.put("compensation", done.get("compensation"));
        }
        return result;
    }

    /** Node access (Nomad, SSH) and a command template that keeps the rules. */
    @Override
    public List<String> problems(Settings settings) {
        Prerequisites p = NodeCleanupJobType.nodeAccess(new Prerequisites(settings));
        String problem = commandProblem(settings.string(commandSetting, defaultCommand));
        if (problem != null) {
            p.problem(Settings.envName(commandSetting) + " " + problem);
        }
        return p.problems();
    }

    /** The command with {@code {data_dir}} as one shell-quoted word, in one pass (a value is never scanned again). */
    static String render(String template, String dataDir) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(ShellQuoting.quote(dataDir)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String commandProblem(String template) {
        if (template == null || template.isBlank()) {
            return "is empty";
        }
        if (MaintenanceRequest.runsUnnamedContainer(template)) {
            return "runs docker run without --name " + MaintenanceRequest.CONTAINER_NAME;
        }
        return null;
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "…" + text.substring(text.length() - max);
    }
}
