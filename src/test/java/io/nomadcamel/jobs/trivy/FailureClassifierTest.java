package io.nomadcamel.jobs.trivy;

import static io.nomadcamel.jobs.testsupport.FakeTrivy.fixture;
import static io.nomadcamel.jobs.trivy.FailureClassifier.Kind.ERROR;
import static io.nomadcamel.jobs.trivy.FailureClassifier.Kind.PULL_FAILED;
import static io.nomadcamel.jobs.trivy.FailureClassifier.Kind.TRANSIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Classification of Trivy's real error texts (fixtures/trivy/*.stderr, provenance in their README). */
class FailureClassifierTest {

    @Test
    void imageMissingIsPermanent() {
        assertEquals(PULL_FAILED, FailureClassifier.classify(fixture("manifest-unknown.stderr")));
        assertEquals(PULL_FAILED, FailureClassifier.classify(fixture("manifest-unknown-troubleshooting.stderr")));
        assertEquals(PULL_FAILED, FailureClassifier.classify(fixture("image-not-found-v052.stderr")));
    }

    @Test
    void serverOrRegistryUnreachableIsTransient() {
        assertEquals(TRANSIENT, FailureClassifier.classify(fixture("server-connection-refused.stderr")));
        assertEquals(TRANSIENT, FailureClassifier.classify(fixture("server-connection-reset.stderr")));
        // every line but the registry's says "not found" (containerd socket): the registry's answer decides
        assertEquals(TRANSIENT, FailureClassifier.classify(fixture("registry-timeout.stderr")));
    }

    @Test
    void theRegistrysAnswerWinsOverAnUnreachableLocalDaemon() {
        String text = fixture("manifest-unknown-troubleshooting.stderr").replace(
                "Is the docker daemon running?", "dial unix /var/run/docker.sock: connect: connection refused");
        assertEquals(PULL_FAILED, FailureClassifier.classify(text));
    }

    @Test
    void wordsInsideTheImagesNameDoNotClassify() {
        String image = "reg.local:5000/ops/timeout-exporter:nope";
        String missing = fixture("manifest-unknown.stderr").replace("127.0.0.1:15000/demo/app:nope", image)
                .replace("http://127.0.0.1:15000/v2/demo/app/manifests/nope",
                        "https://reg.local:5000/v2/ops/timeout-exporter/manifests/nope");
        assertEquals(PULL_FAILED, FailureClassifier.classify(missing, image));
        String serverError = "2025-03-04T03:00:12Z\tFATAL\tFatal error\timage scan error: "
                + "twirp error internal: failed scan, reg.local/ops/timeout-exporter:1: unknown OS";
        assertEquals(TRANSIENT, FailureClassifier.classify(serverError), "what the name alone makes of it");
        assertEquals(ERROR, FailureClassifier.classify(serverError, "reg.local/ops/timeout-exporter:1"));
        String notFoundName = fixture("server-connection-refused.stderr");
        assertEquals(TRANSIENT, FailureClassifier.classify(notFoundName, "ops/not-found-page:1"),
                "a real refusal still retries");
        assertEquals(TRANSIENT, FailureClassifier.classify(fixture("registry-timeout.stderr"), "demo/app:1"),
                "a real timeout after the URL still retries");
    }

    @Test
    void aTrivyServerErrorIsNeverAPullFailure() {
        // "404 Not Found" from a wrong server URL is not about the image
        assertEquals(ERROR, FailureClassifier.classify(fixture("server-bad-route.stderr")));
        assertEquals(ERROR, FailureClassifier.classify("2025-03-04T03:00:11Z\tFATAL\tFatal error\tflag provided but "
                + "not defined: -scanners"), "an unknown failure is an error, not retried");
        assertEquals(ERROR, FailureClassifier.classify(""));
    }

    @Test
    void theStoredMessageDropsTrivysChatter() {
        String message = FailureClassifier.message(fixture("manifest-unknown.stderr"), 1);
        assertFalse(message.contains("Vulnerability scanning is enabled"), message);
        assertTrue(message.startsWith("2025-03-04T03:00:12Z\tFATAL\tFatal error\timage scan error"), message);
        assertTrue(message.contains("MANIFEST_UNKNOWN"), message);
        assertEquals("trivy exited with 2 and printed no error", FailureClassifier.message("\n", 2));
    }
}
