package io.nomadcamel.jobs.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.nomadcamel.jobs.Application;
import io.nomadcamel.jobs.scheduler.Run;
import io.nomadcamel.jobs.scheduler.RunState;
import io.nomadcamel.jobs.scheduler.Scheduler;
import io.nomadcamel.jobs.scheduler.SchedulerService;
import io.nomadcamel.jobs.testsupport.AppProcess;
import io.nomadcamel.jobs.testsupport.FakeNomad;
import io.nomadcamel.jobs.testsupport.Ports;
import io.nomadcamel.jobs.testsupport.TempDirs;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One trace per run, Camel's spans inside it, CLIENT spans with peer.service for the systems a job calls. */
class TracingTest {

    @RegisterExtension
    static final FakeNomad NOMAD = new FakeNomad();

    private static final AttributeKey<String> PEER = AttributeKey.stringKey("peer.service");

    @Test
    void aRunIsOneTraceWithRouteAndClientSpans() throws Exception {
        NOMAD.addNode("node-1", "10.0.0.1");
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        GlobalOpenTelemetry.resetForTest();
        GlobalOpenTelemetry.set(sdk);
        java.nio.file.Path data = TempDirs.create("trace");
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations("file:application.properties");
        Map.of("server.port", String.valueOf(Ports.free()), "management.port", String.valueOf(Ports.free()),
                "data.dir", data.toString(), "routes.include", AppProcess.ROUTES_WITH_TEST_JOBS,
                "nomad.addr", NOMAD.url(), "camel.opentelemetry2.enabled", "true",
                "jobs.traced.type", "test-trace").forEach(main::addOverrideProperty);
        try {
            main.start();
            Scheduler scheduler = main.getCamelContext().getRegistry()
                    .lookupByNameAndType("schedulerService", SchedulerService.class).scheduler();
            Run run = scheduler.trigger("traced", Run.API, Map.of());
            long deadline = System.currentTimeMillis() + Duration.ofSeconds(20).toMillis();
            while (!scheduler.runs().find(run.id()).orElseThrow().state().finished()
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(RunState.SUCCEEDED, scheduler.runs().find(run.id()).orElseThrow().state(),
                    String.valueOf(scheduler.runs().find(run.id())));

            List<SpanData> spans = exporter.getFinishedSpanItems();
            SpanData root = spans.stream().filter(s -> s.getName().equals("run traced")).findFirst().orElseThrow(
                    () -> new AssertionError("no run span in " + names(spans)));
            assertFalse(root.getParentSpanContext().isValid(), "the run span starts its trace");
            assertEquals(run.id(), root.getAttributes().get(AttributeKey.longKey("run.id")));
            List<SpanData> trace = spans.stream().filter(s -> s.getTraceId().equals(root.getTraceId())).toList();
            assertTrue(trace.stream().anyMatch(s -> s.getInstrumentationScopeInfo().getName().equals("camel")),
                    "Camel's route spans are in the run's trace: " + names(trace));
            Set<String> peers = trace.stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                    .map(s -> s.getAttributes().get(PEER)).collect(Collectors.toSet());
            assertEquals(Set.of("nomad", "trivy-server"), peers, names(trace));
            SpanData nomad = trace.stream().filter(s -> "nomad".equals(s.getAttributes().get(PEER))).findFirst()
                    .orElseThrow();
            assertEquals("nomad GET /v1/nodes", nomad.getName());
        } finally {
            main.stop();
            GlobalOpenTelemetry.resetForTest();
            TempDirs.delete(data);
        }
    }

    private static String names(List<SpanData> spans) {
        return spans.stream().map(s -> s.getName() + "[" + s.getInstrumentationScopeInfo().getName() + ","
                + s.getTraceId().substring(0, 6) + "]").collect(Collectors.joining(", "));
    }
}
