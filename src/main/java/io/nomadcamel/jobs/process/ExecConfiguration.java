package io.nomadcamel.jobs.process;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds {@link GuardedExecComponent} as {@code exec}. Camel looks a component up in the registry before it looks for
 * one on the class path, so every {@code exec:} URI, in routes/ or anywhere else, gets the guarded one.
 */
public class ExecConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) {
        camel.getRegistry().bind("exec", new GuardedExecComponent());
    }
}
