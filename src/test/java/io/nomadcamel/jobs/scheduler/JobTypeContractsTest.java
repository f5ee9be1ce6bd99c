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
        JobTypes types = withRouteDeclared(new Properties());
        assertEquals(ROUTE_TYPES, routeTypes);
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
        JobDefinitions definitions = new JobDefinitions(ROUTE_TYPES, withRouteDeclared(all));
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

    @Test
    void aYamlOnlyJobNamesTheGenericOfflineMaintenanceContract() throws Exception {
        JobTypes types = withRouteDeclared(new Properties());
        Map<String, Object> defaults = types.check("aptly-cleanup", Map.of());
        assertEquals(Map.of("job_name", "aptly", "data_dir", "/mnt/gdrive/aptly"), defaults);
        assertEquals("data_dir", org.junit.jupiter.api.Assertions.assertThrows(InputSchema.InvalidInputException.class,
                () -> types.check("aptly-cleanup", Map.of("data_dir", "/mnt/../etc"))).field());
        assertEquals("command", org.junit.jupiter.api.Assertions.assertThrows(InputSchema.InvalidInputException.class,
                () -> types.check("aptly-cleanup", Map.of("command", "rm -rf /"))).field());

        Properties p = new Properties();
        p.setProperty("aptly-cleanup.command", "docker run --rm -v {data_dir}:/aptly urpylka/aptly:1.6.2 aptly db cleanup");
        java.util.List<String> problems = withRouteDeclared(p).problems("aptly-cleanup");
        assertTrue(problems.contains("APTLY_CLEANUP_COMMAND runs docker run without --name {container_name}"),
                problems.toString());
        assertTrue(problems.contains("NOMAD_ADDR is not set"), problems.toString());
        assertFalse(types.problems("aptly-cleanup").toString().contains("APTLY_CLEANUP_COMMAND"),
                "the default command keeps the rules");
    }

    @Test
    void postgresMaintenanceConcurrencyIsBoundedAndItNeedsTheServer() {
        JobTypes types = JobTypes.load(settings(new Properties()));
        assertEquals(Map.of("concurrency", 2), types.check("postgres-maintenance", Map.of()));
        for (int bad : new int[] {0, 17}) {
            assertEquals("concurrency", org.junit.jupiter.api.Assertions.assertThrows(
                    InputSchema.InvalidInputException.class,
                    () -> types.check("postgres-maintenance", Map.of("concurrency", bad))).field());
        }
        assertEquals(java.util.List.of("PG_HOST is not set", "PG_USER is not set"),
                types.problems("postgres-maintenance"));
    }

    private static final Set<String> ROUTE_TYPES = Set.of("aptly-cleanup", "backup", "backup-retention",
            "node-cleanup", "postgres-maintenance", "registry-gc", "restore-drill", "trivy-scan");

    /** The Java-declared types and those the route files declare as beans, as the running scheduler finds them. */
    static JobTypes withRouteDeclared(Properties p) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.build();
            org.apache.camel.spi.RoutesLoader loader = org.apache.camel.support.PluginHelper.getRoutesLoader(context);
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList()) {
                    loader.loadRoutes(org.apache.camel.support.ResourceHelper.resolveMandatoryResource(context,
                            "file:" + file));
                }
            }
            Set<JobType> beans = context.getRegistry().findByType(JobType.class);
            return JobTypes.load(settings(p), () -> beans);
        }
    }

    static Settings settings(Properties p) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(p);
        return new Settings(context);
    }
}
