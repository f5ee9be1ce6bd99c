package io.nomadcamel.jobs.ssh;

import java.nio.file.Path;

import io.nomadcamel.jobs.testsupport.SshdServer;
import io.nomadcamel.jobs.testsupport.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the shell tests against a real sshd share: the server (a fresh one per class), a {@link RemoteShell} logged in
 * by user certificate with the host checked by its host CA, a temp folder, and the check at the end that no command
 * was left running on the server.
 */
abstract class SshShellTestBase {

    @RegisterExtension
    static final SshdServer SSHD = new SshdServer();

    static RemoteShell shell;
    static Path work;

    @BeforeAll
    static void startClient() {
        shell = RemoteShell.start(SshTestSettings.of(SSHD));
        work = TempDirs.create("ssh-shell");
    }

    @AfterAll
    static void stopAll() throws Exception {
        shell.close();
        TempDirs.delete(work);
        SshTestSettings.assertStoppedWithoutLeftovers(SSHD);
    }
}
