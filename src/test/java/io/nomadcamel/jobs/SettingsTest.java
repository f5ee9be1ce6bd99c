package io.nomadcamel.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Settings settings(String... keyValues) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(p);
        return new Settings(context);
    }

    @Test
    void typedValuesAndDefaults() {
        Settings s = settings("a.port", "8081", "a.flag", "yes", "a.every", "10m", "a.blank", "  ");
        assertEquals(8081, s.port("a.port", 1));
        assertEquals(7, s.integer("a.missing", 7));
        assertTrue(s.bool("a.flag", false));
        assertEquals(Duration.ofMinutes(10), s.duration("a.every", Duration.ZERO));
        assertFalse(s.optional("a.blank").isPresent(), "a blank value counts as unset");
        assertEquals("dflt", s.string("a.blank", "dflt"));
    }

    @Test
    void errorsNameTheKeyTheVariableAndTheValue() {
        Settings s = settings("server.port", "eighty", "db.pool-size", "-", "x.port", "70000", "x.flag", "maybe",
                "x.every", "soon");
        assertMessage(() -> s.port("server.port", 8080), "server.port", "SERVER_PORT", "eighty");
        assertMessage(() -> s.integer("db.pool-size", 1), "db.pool-size", "DB_POOL_SIZE", "'-'");
        assertMessage(() -> s.port("x.port", 1), "x.port", "70000", "65535");
        assertMessage(() -> s.bool("x.flag", true), "x.flag", "maybe");
        assertMessage(() -> s.duration("x.every", Duration.ZERO), "x.every", "soon", "10m");
        assertMessage(() -> s.required("nomad.addr"), "nomad.addr", "NOMAD_ADDR");
    }

    @Test
    void operatorsFileComesFirstBecauseCamelTakesTheFirstLocationWithAKey() {
        java.nio.file.Path home = java.nio.file.Path.of("/opt/ncj");
        assertEquals("file:/opt/ncj/application.properties", Settings.placeholderLocations(home, null));
        assertEquals("file:/opt/ncj/application.properties", Settings.placeholderLocations(home, " "));
        assertEquals("file:/etc/ncj.properties,file:/opt/ncj/application.properties",
                Settings.placeholderLocations(home, "/etc/ncj.properties"));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        Settings.InvalidSettingException e = assertThrows(Settings.InvalidSettingException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain " + part);
        }
    }
}
