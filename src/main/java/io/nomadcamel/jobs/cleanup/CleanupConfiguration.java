package io.nomadcamel.jobs.cleanup;

import java.util.function.Consumer;

import io.nomadcamel.jobs.Settings;
import io.nomadcamel.jobs.scheduler.RunContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

/**
 * Binds the beans of routes/node-cleanup.camel.yaml: {@code nodeCleanup} (run-level steps) and
 * {@code nodeCleanupSteps} (one node's steps). Nothing is read at start-up: settings are looked up when a run
 * starts, so the application starts without SSH settings and only this job's runs fail for lack of them.
 */
public class CleanupConfiguration implements CamelConfiguration {

    /** The route that cleans one node; the job's route hands each node to it. */
    public static final String NODE_ROUTE = "direct:node-cleanup-node";

    @Override
    public void configure(CamelContext context) {
        // Settings only wraps the properties component: made here, it does not depend on AppConfiguration's order
        NodeCleanupJob job = new NodeCleanupJob(() -> new Settings(context), new NodeRouteCaller(context),
                () -> io.nomadcamel.jobs.Meters.of(context));
        context.getRegistry().bind("nodeCleanup", job);
        context.getRegistry().bind("nodeCleanupSteps", new NodeSteps());
    }

    /** Sends one node through the per-node route, on the calling worker thread; the route's exception is thrown. */
    static final class NodeRouteCaller implements Consumer<NodeCleanup> {
        private final CamelContext context;
        private volatile ProducerTemplate producer;

        NodeRouteCaller(CamelContext context) {
            this.context = context;
        }

        @Override
        public void accept(NodeCleanup node) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(RunContext.PROPERTY, node.job().run());
            exchange.getIn().setBody(node);
            Exchange done = producer().send(NODE_ROUTE, exchange);
            if (done.getException() != null) {
                throw new NodeFailure(done.getException());
            }
        }

        /** Made at first use: a template made while the context is still being configured would not be started. */
        private ProducerTemplate producer() {
            ProducerTemplate p = producer;
            if (p == null) {
                synchronized (this) {
                    if (producer == null) {
                        producer = context.createProducerTemplate();
                    }
                    p = producer;
                }
            }
            return p;
        }
    }

    /** A node's route ended with an exception; its message is the node's error. */
    static final class NodeFailure extends RuntimeException {
        NodeFailure(Exception cause) {
            super(ParallelNodes.message(cause), cause);
        }
    }
}
