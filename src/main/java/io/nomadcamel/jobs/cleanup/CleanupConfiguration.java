package io.nomadcamel.jobs.cleanup;

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
        ProducerTemplate[] producer = new ProducerTemplate[1];
        NodeCleanupJob job = new NodeCleanupJob(() -> new Settings(context), node -> {
            synchronized (producer) {
                if (producer[0] == null) {
                    producer[0] = context.createProducerTemplate();
                }
            }
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(RunContext.PROPERTY, node.job().run());
            exchange.getIn().setBody(node);
            Exchange done = producer[0].send(NODE_ROUTE, exchange);
            if (done.getException() != null) {
                throw new NodeFailure(done.getException());
            }
        });
        context.getRegistry().bind("nodeCleanup", job);
        context.getRegistry().bind("nodeCleanupSteps", new NodeSteps());
    }

    /** A node's route ended with an exception; its message is the node's error. */
    static final class NodeFailure extends RuntimeException {
        NodeFailure(Exception cause) {
            super(ParallelNodes.message(cause), cause);
        }
    }
}
