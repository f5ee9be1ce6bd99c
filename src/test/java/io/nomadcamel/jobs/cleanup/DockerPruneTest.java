package io.nomadcamel.jobs.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Docker's real output (src/test/resources/fixtures/docker) read into bytes; the commands quoted as one word each. */
class DockerPruneTest {

    private static String fixture(String name) throws Exception {
        try (InputStream in = DockerPruneTest.class.getResourceAsStream("/fixtures/docker/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theReclaimedSpaceIsReadFromThePrunesTotalLine() throws Exception {
        assertEquals(1_838_000_000L, DockerPrune.reclaimedBytes(fixture("system-prune-af.stdout")));
        assertEquals(0L, DockerPrune.reclaimedBytes(fixture("system-prune-af-nothing.stdout")));
        assertEquals(1_840L, DockerPrune.reclaimedBytes("Deleted Images:\ndeleted: sha256:ab\n\n"
                + "Total reclaimed space: 1.84kB\n"));
        assertEquals(1_711_000_000L, DockerPrune.reclaimedBytes("Total reclaimed space: 1.711 GB\n")); // Docker 1.13
        assertThrows(IllegalStateException.class, () -> DockerPrune.reclaimedBytes("WARNING! This will remove:\n"));
    }

    @Test
    void aDryRunEstimatesWhatPruneWouldFreeFromDockerSystemDfWithoutVolumes() throws Exception {
        // images 2.589GB + containers 0B + build cache 12.5MB; local volumes' 906.7MB are not pruned
        assertEquals(2_601_500_000L, DockerPrune.reclaimableBytes(fixture("system-df.stdout")));
        String docker113 = "TYPE                TOTAL               ACTIVE              SIZE                RECLAIMABLE\n"
                + "Images              5                   2                   16.43 MB            11.63 MB (70%)\n"
                + "Containers          2                   0                   212 B               212 B (100%)\n"
                + "Local Volumes       2                   1                   36 B                0 B (0%)\n";
        assertEquals(11_630_212L, DockerPrune.reclaimableBytes(docker113));
        assertThrows(IllegalStateException.class, () -> DockerPrune.reclaimableBytes("Cannot connect to the Docker "
                + "daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"));
    }

    @Test
    void theDockerProgramIsOneQuotedWord() {
        assertEquals("'/opt/my docker/bin/docker' 'system' 'prune' '-af'",
                DockerPrune.pruneCommand("/opt/my docker/bin/docker"));
        assertEquals("'docker' 'system' 'df'", DockerPrune.dfCommand("docker"));
    }
}
