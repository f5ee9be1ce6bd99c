package io.nomadcamel.jobs.registrygc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.nomadcamel.jobs.maintenance.MaintenanceRequest;
import io.nomadcamel.jobs.ssh.ShellQuoting;

/**
 * The garbage-collect command line run on the registry's node. {@code REGISTRY_GC_COMMAND} (setting
 * {@code registry-gc.command}) is a template: {@code {data_dir}} and {@code {image}} become shell-quoted words (data,
 * never shell), {@code {flags}} zero or more of {@code --dry-run --delete-untagged}. It must contain {@code {flags}}:
 * without it a dry run would delete. {@code {container_name}} is left for the offline-maintenance building block,
 * which names the container after the intent ({@code ncj-maint-<intent id>}) when the command runs.
 */
public final class GcCommand {

    public static final String SETTING = "registry-gc.command";
    public static final String DEFAULT_TEMPLATE = "docker run --rm --name {container_name} "
            + "-v {data_dir}:/var/lib/registry {image} garbage-collect {flags} /etc/distribution/config.yml";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(data_dir|image|flags)\\}");

    private GcCommand() {
    }

    public static String render(String template, String dataDir, String image, boolean dryRun,
            boolean deleteUntagged) {
        if (!template.contains("{flags}")) {
            throw new IllegalArgumentException("Setting " + SETTING + " (environment variable REGISTRY_GC_COMMAND) "
                    + "must contain {flags}: without it a dry run would delete, got '" + template + "'");
        }
        if (MaintenanceRequest.runsUnnamedContainer(template)) {
            throw new IllegalArgumentException("Setting " + SETTING + " (environment variable REGISTRY_GC_COMMAND) "
                    + "runs docker run without --name {container_name}: the container would outlive a killed client "
                    + "and could not be removed before the registry is scaled back, got '" + template + "'");
        }
        List<String> flags = new ArrayList<>();
        if (dryRun) {
            flags.add("--dry-run");
        }
        if (deleteUntagged) {
            flags.add("--delete-untagged");
        }
        // one pass: a value is never scanned again, so a data dir containing "{image}" stays data
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "data_dir" -> ShellQuoting.quote(dataDir);
                case "image" -> ShellQuoting.quote(image);
                default -> String.join(" ", flags);
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
