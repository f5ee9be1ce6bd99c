package io.nomadcamel.jobs.registrygc;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.nomadcamel.jobs.testsupport.AppProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RegistryGcRig} with one application for a whole test class, running job "gc" through the rig's
 * stand-in garbage collection; every test starts on a fresh cluster. Register it with
 * {@code @RegisterExtension static final RegistryGcApp gc = new RegistryGcApp(Map.of())}.
 */
final class RegistryGcApp implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final Map<String, String> extraEnv;
    private final Function<RegistryGcRig, String> gcCommand;
    RegistryGcRig rig;
    AppProcess app;

    /** {@code extraEnv}: settings on top of the rig's, for the class's faults. */
    RegistryGcApp(Map<String, String> extraEnv) {
        this(extraEnv, rig -> rig.gcScript() + " {flags}");
    }

    /** {@code gcCommand}: REGISTRY_GC_COMMAND for the rig, e.g. {@link RegistryGcRig#containerCommand()}. */
    RegistryGcApp(Map<String, String> extraEnv, Function<RegistryGcRig, String> gcCommand) {
        this.extraEnv = extraEnv;
        this.gcCommand = gcCommand;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        rig = new RegistryGcRig();
        rig.seedImage(); // garbage-collect fails on a registry without any repository
        Map<String, String> env = rig.env(gcCommand.apply(rig));
        env.putAll(extraEnv);
        app = AppProcess.start(env, rig.jobConfig(true)).awaitReady(Duration.ofSeconds(60));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        rig.resetCluster();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null) {
            app.close();
        }
        if (rig != null) {
            rig.close();
        }
    }
}
