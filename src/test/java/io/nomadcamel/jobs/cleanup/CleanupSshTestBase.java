package io.nomadcamel.jobs.cleanup;

import java.util.HashMap;
import java.util.Map;

import io.nomadcamel.jobs.testsupport.FakeNomad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the node-cleanup tests against real sshd nodes share: one fake Nomad per class, a fresh {@link CleanupCluster}
 * per test (nodes are added by the test), and a job runner on that cluster that is closed after the test.
 */
abstract class CleanupSshTestBase {

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    protected CleanupCluster cluster;
    private CleanupJobRunner runner;

    /** The token the fake Nomad requires and the job sends; none by default. */
    protected String nomadToken() {
        return null;
    }

    @BeforeEach
    void freshCluster() {
        NOMAD.reset();
        if (nomadToken() != null) {
            NOMAD.requireToken(nomadToken());
        }
        cluster = CleanupCluster.create(NOMAD);
    }

    @AfterEach
    void closeCluster() {
        if (runner != null) {
            runner.close();
            runner = null;
        }
        cluster.close();
    }

    /** A node-cleanup job runner on this test's cluster. */
    protected CleanupJobRunner runner() throws Exception {
        Map<String, String> settings = new HashMap<>(cluster.settings());
        if (nomadToken() != null) {
            settings.put("nomad.token", nomadToken());
        }
        runner = new CleanupJobRunner(settings);
        return runner;
    }
}
