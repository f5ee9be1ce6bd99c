package io.nomadcamel.jobs.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nomadcamel.jobs.testsupport.SshCertificateAuthorities;
import io.nomadcamel.jobs.testsupport.SshdServer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.ssh.SshConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * camel-ssh routes can use the same trust: {@link SshClientFactory#clientBuilder()} as the endpoint's
 * {@code clientBuilder} and {@link SshClientFactory#keyPairProvider()} as its {@code keyPairProvider} log in with the
 * user certificate and refuse hosts without a valid host certificate, as {@link RemoteShell} does.
 */
class CamelSshClientBuilderTest {

    static final SshCertificateAuthorities CAS = SshCertificateAuthorities.create();

    @RegisterExtension
    static final SshdServer GOOD = SshdServer.builder().authorities(CAS).build();
    @RegisterExtension
    static final SshdServer EXPIRED = SshdServer.builder().authorities(CAS).expiredHostCertificate().build();
    @RegisterExtension
    static final SshdServer PLAIN_KEY = SshdServer.builder().authorities(CAS).withoutHostCertificate().build();

    @AfterAll
    static void noSshdLeft() throws Exception {
        try {
            SshTestSettings.assertStoppedWithoutLeftovers(GOOD, EXPIRED, PLAIN_KEY);
        } finally {
            CAS.close();
        }
    }

    @Test
    void aCamelSshEndpointRunsACommandWithTheCertificateOnAVerifiedHost() throws Exception {
        try (SshClientFactory factory = SshClientFactory.create(SshTestSettings.of(CAS, 22));
                CamelContext camel = camel(factory)) {
            ProducerTemplate template = camel.createProducerTemplate();
            Exchange reply = template.request(uri(GOOD), e -> e.getIn().setBody("echo camel-ok; id -un"));
            assertEquals(null, reply.getException());
            assertEquals("camel-ok\n" + CAS.user() + "\n", reply.getMessage().getBody(String.class));
            assertEquals(0, reply.getMessage().getHeader(SshConstants.EXIT_VALUE, Integer.class));
            assertTrue(GOOD.log().contains("Accepted publickey for " + CAS.user()), GOOD.log());
        }
    }

    @Test
    void aCamelSshEndpointRefusesHostsWithoutAValidHostCertificate() throws Exception {
        try (SshClientFactory factory = SshClientFactory.create(SshTestSettings.of(CAS, 22));
                CamelContext camel = camel(factory)) {
            ProducerTemplate template = camel.createProducerTemplate();
            for (SshdServer bad : new SshdServer[] {EXPIRED, PLAIN_KEY}) {
                CamelExecutionException e = assertThrows(CamelExecutionException.class,
                        () -> template.requestBody(uri(bad), "touch /must-not-run", String.class));
                assertTrue(e.getCause().getMessage().contains("Failed to authenticate"), e.getCause().getMessage());
                assertFalse(bad.log().contains("Accepted publickey"), bad.log());
            }
        }
    }

    private static CamelContext camel(SshClientFactory factory) {
        CamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("sshClientBuilder", factory.clientBuilder());
        camel.getRegistry().bind("sshKeys", factory.keyPairProvider());
        camel.start();
        return camel;
    }

    private static String uri(SshdServer server) {
        return "ssh:127.0.0.1:" + server.port() + "?username=" + CAS.user()
                + "&clientBuilder=#sshClientBuilder&keyPairProvider=#sshKeys&timeout=10000";
    }
}
