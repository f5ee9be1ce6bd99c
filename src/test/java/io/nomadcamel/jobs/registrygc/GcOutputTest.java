package io.nomadcamel.jobs.registrygc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The parser against the real garbage-collect output of src/test/resources/fixtures/registry (see its README). */
class GcOutputTest {

    @Test
    void aDryRunWithoutDeleteUntaggedCountsOnlyUnreferencedBlobs() throws IOException {
        GcOutput gc = GcOutput.parse(fixture("garbage-collect-dry-run.stdout"));

        assertEquals(List.of(
                "sha256:7de938d4b14e92628b5ac17f8409a7982e8b4ee73da71267b5573e824da196ea",
                "sha256:103b667af7b9938a457722eee3ce2f590eeabb850e77932d1fa6f3f8a98d719d",
                "sha256:6fc6d9a73bd5eed80f7d938545e8bb98fbb4c403ef2d3479f617bc6964f21faa"), gc.eligibleBlobs());
        assertEquals(List.of(), gc.eligibleManifests());
        assertEquals(new GcOutput.Summary(10, 3, 0,
                "10 blobs marked, 3 blobs and 0 manifests eligible for deletion"), gc.summary());
    }

    @Test
    void deleteUntaggedAddsTheUntaggedManifestAndItsBlobs() throws IOException {
        for (String file : List.of("garbage-collect-dry-run-delete-untagged.stdout",
                "garbage-collect-delete-untagged.stdout")) {
            GcOutput gc = GcOutput.parse(fixture(file));

            assertEquals(6, gc.eligibleBlobs().size(), file);
            assertEquals(List.of("sha256:ef664ceb48e11c6a779cfa0057d68aba8a45b10b68a56cf0bfbf01e74787e3a5"),
                    gc.eligibleManifests(), file);
            assertTrue(gc.eligibleBlobs().contains(gc.eligibleManifests().get(0)), "a manifest is a blob too");
            assertEquals(7, gc.summary().blobsMarked());
            assertEquals(gc.eligibleBlobs().size(), gc.summary().blobsEligible());
            assertEquals(1, gc.summary().manifestsEligible());
        }
    }

    @Test
    void nothingLeftIsZeroAndMarkingLinesAreNotCounted() throws IOException {
        GcOutput gc = GcOutput.parse(fixture("garbage-collect-nothing-left.stdout"));

        assertEquals(List.of(), gc.eligibleBlobs());
        assertEquals(List.of(), gc.eligibleManifests());
        assertEquals(0, gc.summary().blobsEligible());
        assertEquals(7, gc.summary().blobsMarked());
    }

    @Test
    void outputCutShortHasNoSummary() throws IOException {
        String full = fixture("garbage-collect-dry-run.stdout");
        GcOutput gc = GcOutput.parse(full.substring(0, full.indexOf("10 blobs marked")));

        assertNull(gc.summary());
        assertEquals(List.of(), gc.eligibleBlobs());
        assertEquals(0, GcOutput.parse("").eligibleBlobs().size());
    }

    static String fixture(String name) throws IOException {
        try (InputStream in = GcOutputTest.class.getResourceAsStream("/fixtures/registry/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
