package io.nomadcamel.jobs.process;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.nomadcamel.jobs.Settings;
import org.apache.camel.Endpoint;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecComponent;
import org.apache.camel.component.exec.ExecEndpoint;

/**
 * The application's {@code exec} component (bound under that name by {@link ExecConfiguration}, so every
 * {@code exec:} URI resolves to it): camel-exec's endpoint and producer, with the binding and executor of this
 * package fixed on every endpoint. camel-exec's own executor (the whole JVM environment for the child, no
 * process-tree kill, stdout held in memory) is never used: the endpoint refuses any other binding or executor, and a
 * URI cannot name one. An extra option {@code profile} names the program family ({@link ExecProfiles}).
 */
public final class GuardedExecComponent extends ExecComponent {

    private static final ExecCommandExecutor EXECUTOR = new GuardedExecExecutor();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String profile = getAndRemoveParameter(parameters, "profile", String.class);
        GuardedEndpoint endpoint = new GuardedEndpoint(uri, this,
                new GuardedExecBinding(profile, () -> Settings.of(getCamelContext())));
        setProperties(endpoint, parameters);
        endpoint.setExecutable(URLDecoder.decode(remaining, StandardCharsets.UTF_8));
        return endpoint;
    }

    /** An exec endpoint whose binding and executor are this package's, whatever its options say. */
    static final class GuardedEndpoint extends ExecEndpoint {

        private final GuardedExecBinding binding;

        GuardedEndpoint(String uri, GuardedExecComponent component, GuardedExecBinding binding) {
            super(uri, component);
            this.binding = binding;
        }

        @Override
        public ExecBinding getBinding() {
            return binding;
        }

        @Override
        public void setBinding(ExecBinding binding) {
            if (binding != this.binding) {
                throw new IllegalArgumentException(getEndpointUri() + ": the exec binding cannot be replaced");
            }
        }

        @Override
        public ExecCommandExecutor getCommandExecutor() {
            return EXECUTOR;
        }

        @Override
        public void setCommandExecutor(ExecCommandExecutor executor) {
            if (executor != EXECUTOR) {
                throw new IllegalArgumentException(getEndpointUri() + ": the exec command executor cannot be replaced");
            }
        }
    }
}
