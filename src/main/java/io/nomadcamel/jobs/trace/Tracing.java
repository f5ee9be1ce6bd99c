package io.nomadcamel.jobs.trace;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import org.apache.camel.main.Main;

/**
 * Traces: one trace per run, Camel's route spans inside it, and a CLIENT span with {@code peer.service} around
 * every call to another system (nomad, consul, postgres, s3, trivy-server, ssh). Off (no-op spans, no exporter)
 * unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set; then the OpenTelemetry SDK is configured from the standard
 * OTEL_* variables, exporting OTLP, with service name nomad-camel-jobs unless OTEL_SERVICE_NAME says otherwise.
 */
public final class Tracing {

    public static final String SERVICE = "nomad-camel-jobs";

    private Tracing() {
    }

    /** Sets up the SDK and Camel's tracer when an OTLP endpoint is configured. */
    public static void install(Main main, Map<String, String> env) {
        String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            return;
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", SERVICE);
        defaults.put("otel.metrics.exporter", "none"); // metrics go to Prometheus
        defaults.put("otel.logs.exporter", "none");    // logs go to stdout
        AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> defaults).setResultAsGlobal().build();
        main.addInitialProperty("camel.opentelemetry2.enabled", "true");
    }

    public static Tracer tracer() {
        return GlobalOpenTelemetry.getTracer(SERVICE);
    }

    /** Runs a call to another system inside a CLIENT span, recording a failure on the span. */
    public static <T> T client(String peerService, String name, Map<String, String> attributes, Supplier<T> call) {
        Span span = tracer().spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(Context.current())
                .setAttribute("peer.service", peerService).startSpan();
        attributes.forEach(span::setAttribute);
        try (Scope ignored = span.makeCurrent()) {
            return call.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
        }
    }
}
