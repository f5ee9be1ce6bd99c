package io.nomadcamel.jobs.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An S3 endpoint that answers the next N object uploads with an "out of space" error and forwards every other
 * request, byte for byte, to a real S3 API behind it (an {@link S3ProxyServer}). It works on raw sockets so the Host
 * header, the SigV4 signature and aws-chunked bodies reach S3Proxy untouched; the one change is {@code Connection:
 * close}, which the SDK does not sign, so that every request gets its own connection and is seen here.
 */
public final class S3FaultProxy implements AutoCloseable {

    /** An error answer: status line and XML body, as an S3-compatible store sends it. */
    public record Fault(int status, String reason, String body) {

        /** The generic code the design names for a full store (HTTP 507). */
        public static Fault insufficientStorage() {
            return new Fault(507, "Insufficient Storage", fixture("insufficient-storage-507.xml"));
        }

        /** MinIO's hard bucket quota (HTTP 400, code XMinioAdminBucketQuotaExceeded). */
        public static Fault minioBucketQuotaExceeded() {
            return new Fault(400, "Bad Request", fixture("minio-XMinioAdminBucketQuotaExceeded.xml"));
        }

        /** MinIO out of disk (HTTP 507, code XMinioStorageFull): full by status, not by a listed code. */
        public static Fault minioStorageFull() {
            return new Fault(507, "Insufficient Storage", fixture("minio-XMinioStorageFull.xml"));
        }

        /** Ceph RGW's user or bucket quota (HTTP 403, code QuotaExceeded, no Message). */
        public static Fault cephQuotaExceeded() {
            return new Fault(403, "Forbidden", fixture("ceph-rgw-QuotaExceeded.xml"));
        }

        private static String fixture(String name) {
            try (InputStream in = S3FaultProxy.class.getResourceAsStream("/fixtures/s3/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource fixtures/s3/" + name);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final int MAX_HEAD = 64 * 1024;

    private final URI upstream;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile String hold;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private int putsToFail;
    private Fault fault;
    private int faultsServed;
    private volatile boolean closed;

    private S3FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    /** Starts a proxy on a free loopback port in front of the S3 API at {@code upstream}. */
    public static S3FaultProxy start(URI upstream) {
        try {
            return new S3FaultProxy(upstream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoint to give the code under test instead of the real S3 endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Answers the next {@code count} object (or part) uploads, i.e. PUTs to a key, with {@code fault}. */
    public synchronized void failNextPuts(int count, Fault fault) {
        this.putsToFail = count;
        this.fault = fault;
    }

    /**
     * Holds every request whose target contains {@code marker}: it never reaches S3, as over a stalled network, and
     * gets no answer until the client gives up (closes its connection).
     */
    public void hold(String marker) {
        this.hold = marker;
    }

    public synchronized int faultsServed() {
        return faultsServed;
    }

    /** Every request seen, in order, as {@code "METHOD /bucket/key?query"}: to assert what the job did. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private synchronized Fault takeFault(String method, String target) {
        if (putsToFail > 0 && isObjectPut(method, target)) {
            putsToFail--;
            faultsServed++;
            return fault;
        }
        return null;
    }

    private static boolean isObjectPut(String method, String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        int keyStart = path.indexOf('/', 1); // path style: /bucket/key
        return "PUT".equals(method) && keyStart > 0 && keyStart < path.length() - 1;
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                Socket client = server.accept();
                sockets.add(client);
                threads.submit(() -> handle(client));
            }
        } catch (IOException e) {
            // closed: the server socket is gone, and so is this loop
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
            requests.add(requestLine[0] + " " + requestLine[1]);
            String held = hold;
            if (held != null && requestLine[1].contains(held)) {
                in.transferTo(OutputStream.nullOutputStream()); // until the client closes the connection
                return;
            }
            Fault answer = takeFault(requestLine[0], requestLine[1]);
            if (answer != null) {
                answerWith(client, answer);
            } else {
                forward(client, head);
            }
        } catch (IOException e) {
            // the client or S3Proxy went away mid-request; the client sees the broken connection, as with real S3
        } finally {
            sockets.remove(client);
        }
    }

    /** Reads the request line and headers byte by byte, so not one byte of the body is consumed here. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > MAX_HEAD) {
                throw new IOException("request head over " + MAX_HEAD + " bytes");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void answerWith(Socket client, Fault fault) throws IOException {
        byte[] body = fault.body().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + fault.status() + " " + fault.reason() + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "x-amz-request-id: S3FAULTPROXY\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        client.shutdownOutput();
        // Read away the body the client may still be sending (no Expect: 100-continue): closing with unread bytes
        // makes the kernel reset the connection, and the client would report a reset instead of this answer.
        client.setSoTimeout(5000);
        try {
            client.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // timed out or reset after the answer went out: nothing left to do
        }
    }

    private void forward(Socket client, String head) throws IOException {
        try (Socket s3 = new Socket()) {
            sockets.add(s3);
            s3.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()), 5000);
            OutputStream toS3 = s3.getOutputStream();
            toS3.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
            toS3.flush();
            // the body (and anything after it) streams on in the background; the answer streams back until S3Proxy
            // closes the connection, as Connection: close asks it to
            threads.submit(() -> pump(client, s3));
            s3.getInputStream().transferTo(client.getOutputStream());
        } finally {
            sockets.removeIf(Socket::isClosed);
        }
    }

    private static void pump(Socket client, Socket s3) {
        try {
            client.getInputStream().transferTo(s3.getOutputStream());
        } catch (IOException e) {
            // one side closed after the answer: the exchange is over
        }
    }

    private static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("connection:") && !lower.startsWith("keep-alive:")) {
                out.append(line).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
