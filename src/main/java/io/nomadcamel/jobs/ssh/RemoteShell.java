package io.nomadcamel.jobs.ssh;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;

import io.nomadcamel.jobs.Durations;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;

/**
 * Runs commands on cluster nodes over SSH, as node-cleanup and registry-gc do: one started MINA SSHD client (thread
 * safe, shared by all runs), one {@link RemoteSession} per node visit. Sessions log in with the user certificate and
 * accept a node only by its host certificate (see {@link HostCertificateVerifier}). Connect and login are bounded by
 * the connect and auth timeouts, each command by the command timeout.
 */
public final class RemoteShell implements AutoCloseable {

    private final SshClientFactory factory;
    private final SshClient client;

    private RemoteShell(SshClientFactory factory, SshClient client) {
        this.factory = factory;
        this.client = client;
    }

    /** Reads the key, certificate and host CA (failing with a {@link SshSetupException}) and starts a client. */
    public static RemoteShell start(SshSettings settings) {
        SshClientFactory factory = SshClientFactory.create(settings);
        try {
            SshClient client = factory.newClient();
            client.start();
            return new RemoteShell(factory, client);
        } catch (RuntimeException e) {
            factory.close();
            throw e;
        }
    }

    public SshSettings settings() {
        return factory.settings();
    }

    /** Runs one command on a node on the configured port, in a session of its own. */
    public CommandResult run(String host, String command) {
        try (RemoteSession session = connect(host)) {
            return session.run(command);
        }
    }

    public RemoteSession connect(String host) {
        return connect(host, settings().port());
    }

    /** Connects, verifies the host and logs in; every failure is a {@link SshConnectException} saying which. */
    public RemoteSession connect(String host, int port) {
        SshSettings settings = settings();
        String target = host + ":" + port;
        factory.identity().requireValidAt(Instant.now());
        ClientSession session = openSession(target, host, port, settings.connectTimeout());
        try {
            login(target, session, settings.authTimeout());
            return new RemoteSession(target, session, settings.connectTimeout(), settings.commandTimeout());
        } catch (RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    private ClientSession openSession(String target, String host, int port, Duration timeout) {
        ConnectFuture future = null;
        try {
            future = client.connect(settings().user(), host, port);
            if (!future.await(timeout)) {
                future.cancel();
                throw new SshConnectException(target, SshConnectException.Reason.TIMEOUT,
                        "no SSH connection within " + Durations.format(timeout), null);
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            if (future != null) {
                future.cancel();
            }
            throw new SshConnectException(target, SshConnectException.Reason.TIMEOUT, "interrupted while connecting", e);
        } catch (IOException e) {
            throw new SshConnectException(target, SshConnectException.Reason.UNREACHABLE,
                    "cannot connect: " + describe(e), e);
        }
        if (!future.isConnected()) {
            Throwable cause = future.getException();
            throw new SshConnectException(target, SshConnectException.Reason.UNREACHABLE,
                    "cannot connect: " + describe(cause), cause);
        }
        return future.getSession();
    }

    private void login(String target, ClientSession session, Duration timeout) {
        AuthFuture auth;
        try {
            auth = session.auth();
            if (!auth.await(timeout)) {
                throw new SshConnectException(target, SshConnectException.Reason.TIMEOUT,
                        "no SSH login within " + Durations.format(timeout), null);
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new SshConnectException(target, SshConnectException.Reason.TIMEOUT, "interrupted while logging in", e);
        } catch (IOException e) {
            throw loginFailure(target, session, e);
        }
        if (!auth.isSuccess()) {
            throw loginFailure(target, session, auth.getException());
        }
    }

    /** Tells a host we refused (ours, or MINA's key exchange certificate checks) from a login the node refused. */
    private SshConnectException loginFailure(String target, ClientSession session, Throwable cause) {
        String rejection = factory.verifier().rejection(session).orElse(null);
        if (rejection != null) {
            return new SshConnectException(target, SshConnectException.Reason.HOST_NOT_VERIFIED,
                    "host not verified: " + rejection, cause);
        }
        SshException kex = keyExchangeFailure(cause);
        if (kex != null) {
            // DHGClient words every host certificate refusal "KeyExchange [CA] signature verification failed, ..."
            boolean hostCertificate = String.valueOf(kex.getMessage()).contains("verification failed")
                    || kex.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE;
            return hostCertificate
                    ? new SshConnectException(target, SshConnectException.Reason.HOST_NOT_VERIFIED,
                            "host not verified: its host certificate was refused in the key exchange: "
                                    + kex.getMessage(), cause)
                    : new SshConnectException(target, SshConnectException.Reason.KEY_EXCHANGE_FAILED,
                            "key exchange failed: " + kex.getMessage(), cause);
        }
        return new SshConnectException(target, SshConnectException.Reason.LOGIN_REFUSED,
                "login as " + settings().user() + " with the certificate " + factory.settings().certificate()
                        + " refused: " + describe(cause), cause);
    }

    private static SshException keyExchangeFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SshException ssh
                    && (ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_KEY_EXCHANGE_FAILED
                            || ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE)) {
                return ssh;
            }
        }
        return null;
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "no reason given";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stops the client (closing every session) and removes the generated known_hosts file. */
    @Override
    public void close() {
        try {
            client.stop();
        } finally {
            factory.close();
        }
    }
}
