package io.nomadcamel.jobs.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Every shipped job type declares its contract, and the defaults and the shipped jobs' inputs keep it. */
class JobTypeContractsTest {

    private static final Pattern TYPE = Pattern.compile("uri:\\s*direct:([a-z0-9-]+)");

    @Test
    void everyRouteFileTypeDeclaresItsContract() throws Exception {
        Set<String> routeTypes = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                String type = file.getFileName().toString().replace(".camel.yaml", "");
                Matcher m = TYPE.matcher(Files.readString(file));
                if (m.find() && m.group(1).equals(type)) {
                    routeTypes.add(type);
                }
            }
        }
        JobTypes types = JobTypes.load(settings(new Properties()));
        assertEquals(Set.of("backup", "backup-retention", "node-cleanup", "registry-gc", "restore-drill",
                "trivy-scan"), routeTypes);
        for (String type : routeTypes) {
            JobType declared = types.find(type).orElseThrow(() -> new AssertionError(type + " declares no JobType"));
            assertFalse(declared.description().isBlank());
            assertEquals(false, declared.input(settings(new Properties())).jsonSchema().get("additionalProperties"));
            Map<String, Object> defaults = types.check(type, Map.of());
            assertEquals(defaults, types.check(type, defaults), type + ": its own defaults keep its contract");
        }
    }

    @Test
    void theShippedJobsInputsKeepTheirTypesContracts() throws Exception {
        Properties all = new Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            all.load(in);
        }
        JobDefinitions definitions = new JobDefinitions(Set.of("backup", "backup-retention", "node-cleanup",
                "registry-gc", "restore-drill", "trivy-scan"), JobTypes.load(settings(all)));
        JobRegistry registry = new JobRegistry(definitions);
        registry.loadProperties(all);
        assertTrue(registry.all().size() >= 4, registry.all().toString());
    }

    @Test
    void trivyConcurrencyIsBoundBySettings() {
        Properties p = new Properties();
        p.setProperty("scans.max-concurrency", "5");
        JobTypes types = JobTypes.load(settings(p));
        assertEquals(Map.of("concurrency", 5), types.check("trivy-scan", Map.of()));
        assertEquals("concurrency", org.junit.jupiter.api.Assertions.assertThrows(
                InputSchema.InvalidInputException.class, () -> types.check("trivy-scan", Map.of("concurrency", 6)))
                .field());
    }

    @Test
    void aRegistryGcCommandThatBreaksGcCommandsRulesMakesTheJobNotReady() {
        Properties p = new Properties();
        p.setProperty("registry-gc.command", "docker run --rm -v {data_dir}:/r {image} garbage-collect /c.yml");
        java.util.List<String> problems = JobTypes.load(settings(p)).problems("registry-gc");
        assertTrue(problems.contains("REGISTRY_GC_COMMAND does not contain {flags}: a dry run would delete"),
                problems.toString());
        assertTrue(problems.contains("REGISTRY_GC_COMMAND runs docker run without --name {container_name}"),
                problems.toString());
        assertTrue(problems.contains("NOMAD_ADDR is not set"), problems.toString());
        assertFalse(JobTypes.load(settings(new Properties())).problems("registry-gc").toString()
                .contains("REGISTRY_GC_COMMAND"), "the default command keeps the rules");
    }

    static Settings settings(Properties p) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(p);
        return new Settings(context);
    }
}
