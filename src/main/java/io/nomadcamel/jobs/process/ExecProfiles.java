package io.nomadcamel.jobs.process;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.RunContext;

/**
 * The named environment profiles of {@code exec:} endpoints ({@code exec:pg_dump?profile=pg}). A profile is a family
 * of programs: where they are installed (a setting, read when the step runs), which secrets and addresses they get
 * in their environment (never on their command line), and which system a trace calls them. A profile hands its
 * secrets only to its own programs: {@code exec:sh?profile=pg} is refused, so no route edit can pass
 * {@code PGPASSWORD} to a program of its choosing. Without a profile a program gets no secret at all.
 */
public final class ExecProfiles {

    /**
     * What a step's program gets: the path to run, its environment, the prefix of the application's own variables
     * that pass through (a tool's settings, e.g. {@code TRIVY_}), the system it talks to (for the trace).
     */
    public record Resolved(String executable, Map<String, String> env, String inheritedPrefix, String peer) {

        @Override
        public String toString() { // the environment holds secrets: only its names
            return "Resolved[" + executable + ", env " + env.keySet() + "]";
        }
    }

    private static final Set<String> NAMES = Set.of("consul", "nomad", "pg", "trivy");
    private static final List<String> PG_PROGRAMS = List.of("pg_dump", "pg_dumpall", "pg_restore", "psql");

    private ExecProfiles() {
    }

    /**
     * Resolves the endpoint's program under its profile, reading the settings now; a missing or malformed setting
     * fails the step, naming it.
     */
    public static Resolved resolve(String profile, String program, Settings settings, RunContext run) {
        if (profile == null) {
            return new Resolved(program, Map.of(), null, null);
        }
        Map<String, String> env = new LinkedHashMap<>();
        switch (profile) {
            case "nomad" -> {
                only(profile, program, List.of("nomad"), "NOMAD_BIN");
                put(env, "NOMAD_ADDR", settings, "nomad.addr");
                put(env, "NOMAD_TOKEN", settings, "nomad.token");
                put(env, "NOMAD_CACERT", settings, "nomad.cacert");
                return new Resolved(settings.string("nomad.bin", "nomad"), env, null, "nomad");
            }
            case "consul" -> {
                only(profile, program, List.of("consul"), "CONSUL_BIN");
                put(env, "CONSUL_HTTP_ADDR", settings, "consul.http-addr");
                put(env, "CONSUL_HTTP_TOKEN", settings, "consul.http-token");
                return new Resolved(settings.string("consul.bin", "consul"), env, null, "consul");
            }
            case "pg" -> {
                only(profile, program, PG_PROGRAMS, "PG_BIN_DIR");
                env.putAll(pgEnvironment(settings.optional("pgpassword").orElse(null), run));
                String executable = settings.optional("pg.bin-dir").map(dir -> Path.of(dir).resolve(program)
                        .toString()).orElse(program);
                return new Resolved(executable, env, null, "postgres");
            }
            case "trivy" -> {
                only(profile, program, List.of("trivy"), "TRIVY_BIN");
                put(env, "TRIVY_TOKEN", settings, "trivy.token");
                // Trivy's own TRIVY_* settings (cache dir, insecure registries) pass through
                return new Resolved(settings.string("trivy.bin", "trivy"), env, "TRIVY_", "trivy-server");
            }
            default -> throw new IllegalArgumentException("exec:" + program + ": unknown profile '" + profile
                    + "' (the profiles are " + String.join(", ", NAMES.stream().sorted().toList()) + ")");
        }
    }

    /** The environment of a run's PostgreSQL client programs: the password, a connect timeout, the run's name. */
    private static Map<String, String> pgEnvironment(String password, RunContext run) {
        Map<String, String> env = new LinkedHashMap<>();
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.put("PGCONNECT_TIMEOUT", "30");
        // the run's sessions can be found on the server by this name (a killed pg_dump's are ended)
        env.put("PGAPPNAME", pgApplicationName(run));
        return env;
    }

    /** How a run's PostgreSQL client programs name themselves to the server ({@code PGAPPNAME}). */
    public static String pgApplicationName(RunContext run) {
        return "nomad-camel-jobs " + run.job().type() + " run " + run.runId();
    }

    private static void only(String profile, String program, List<String> programs, String setting) {
        if (!programs.contains(program)) {
            throw new IllegalArgumentException("exec:" + program + ": the " + profile + " profile runs only "
                    + String.join(", ", programs) + " (located by " + setting + "), not '" + program + "'");
        }
    }

    private static void put(Map<String, String> env, String name, Settings settings, String key) {
        settings.optional(key).ifPresent(value -> env.put(name, value));
    }
}
