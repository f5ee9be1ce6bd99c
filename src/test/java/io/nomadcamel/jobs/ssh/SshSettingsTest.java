package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class SshSettingsTest {

    @Test
    void readsTheDesignsVariablesWithDefaults() {
        SshSettings s = SshSettings.from(settings("ssh.key-path", "/k", "ssh.cert-path", "/k-cert.pub",
                "ssh.host-ca-path", "/ca.pub"));
        assertEquals(new SshSettings(Path.of("/k"), Path.of("/k-cert.pub"), Path.of("/ca.pub"), "root", 22,
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofMinutes(30)), s);
    }

    @Test
    void readsEverySetting() {
        SshSettings s = SshSettings.from(settings("ssh.key-path", "/k", "ssh.cert-path", "/c", "ssh.host-ca-path",
                "/ca", "ssh.user", "ops", "ssh.port", "2222", "ssh.connect-timeout", "3s", "ssh.auth-timeout", "4s",
                "ssh.command-timeout", "2h"));
        assertEquals("ops", s.user());
        assertEquals(2222, s.port());
        assertEquals(Duration.ofSeconds(3), s.connectTimeout());
        assertEquals(Duration.ofSeconds(4), s.authTimeout());
        assertEquals(Duration.ofHours(2), s.commandTimeout());
    }

    @Test
    void aMissingPathOrBadValueNamesItsEnvironmentVariable() {
        assertEquals("Missing setting ssh.cert-path (environment variable SSH_CERT_PATH)",
                assertThrows(Settings.InvalidSettingException.class,
                        () -> SshSettings.from(settings("ssh.key-path", "/k", "ssh.host-ca-path", "/ca")))
                        .getMessage());
        assertEquals("Setting ssh.port (environment variable SSH_PORT) must be a port number from 1 to 65535, got "
                + "'0'", assertThrows(Settings.InvalidSettingException.class, () -> SshSettings.from(settings(
                        "ssh.key-path", "/k", "ssh.cert-path", "/c", "ssh.host-ca-path", "/ca", "ssh.port", "0")))
                        .getMessage());
        assertEquals("Setting ssh.command-timeout (environment variable SSH_COMMAND_TIMEOUT) must be a positive "
                + "duration", assertThrows(IllegalArgumentException.class, () -> SshSettings.from(settings(
                        "ssh.key-path", "/k", "ssh.cert-path", "/c", "ssh.host-ca-path", "/ca",
                        "ssh.command-timeout", "0s"))).getMessage());
    }

    private static Settings settings(String... keyValues) {
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(props);
        return new Settings(context);
    }
}
