package io.nomadcamel.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

/** The application's Prometheus registry (camel-micrometer-prometheus binds it), for the domains' own figures. */
public final class Meters {

    private Meters() {
    }

    /** Looked up at use: configuration classes run in no set order. A bare context (unit tests) gets a local one. */
    public static MeterRegistry of(CamelContext camel) {
        MeterRegistry registry = camel.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            registry = new SimpleMeterRegistry();
            camel.getRegistry().bind("fallbackMeterRegistry", MeterRegistry.class, registry);
        }
        return registry;
    }
}
