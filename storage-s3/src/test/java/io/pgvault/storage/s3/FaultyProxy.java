package io.pgvault.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between the SDK and S3Proxy that breaks connections on purpose: once a connection has
 * carried {@code afterBytes} bytes towards the server it is dropped (both sockets closed) or stalled (nothing more is
 * forwarded, the sockets stay open), either once or on every connection. With {@link Fault#REFUSE_CHECKSUM_HEADERS}
 * it behaves like Backblaze B2 and other stores that lag AWS: a request carrying a flexible checksum header
 * ({@code x-amz-checksum-*}, {@code x-amz-sdk-checksum-algorithm}, or an {@code x-amz-trailer} announcing one) is
 * answered 400 "Unsupported header" and never reaches the server.
 */
final class FaultyProxy implements AutoCloseable {
    enum Fault { DROP, STALL, REFUSE_CHECKSUM_HEADERS }

    private static final java.util.regex.Pattern CHECKSUM_HEADER = java.util.regex.Pattern.compile(
            "(?im)^(x-amz-checksum-[a-z0-9]+|x-amz-sdk-checksum-algorithm|x-amz-trailer):");

    private final ServerSocket server;
    private final int upstreamPort;
    private final Fault fault;
    private final long afterBytes;
    private final boolean once;
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicInteger faults = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** The start of what each connection sent towards the server: request lines and headers, for inspection. */
    private final StringBuffer sent = new StringBuffer();

    FaultyProxy(int upstreamPort, Fault fault, long afterBytes, boolean once) throws IOException {
        this.upstreamPort = upstreamPort;
        this.fault = fault;
        this.afterBytes = afterBytes;
        this.once = once;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        daemon("faulty-proxy-accept", this::acceptLoop).start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** @return how many connections were dropped or stalled */
    int faults() {
        return faults.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                daemon("faulty-proxy-up", () -> pump(client, upstream, true)).start();
                daemon("faulty-proxy-down", () -> pump(upstream, client, false)).start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardsServer) {
        byte[] buffer = new byte[16 * 1024];
        long forwarded = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (towardsServer && fault == Fault.REFUSE_CHECKSUM_HEADERS) {
                    java.util.regex.Matcher m = CHECKSUM_HEADER.matcher(
                            new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
                    if (m.find()) {
                        faults.incrementAndGet();
                        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidArgument</Code>"
                                + "<Message>Unsupported header '" + m.group(1).toLowerCase(java.util.Locale.ROOT)
                                + "' received for this API call.</Message></Error>")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        OutputStream reply = from.getOutputStream();
                        reply.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nContent-Length: "
                                + body.length + "\r\nConnection: close\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        reply.write(body);
                        reply.flush();
                        from.close();
                        to.close();
                        return;
                    }
                }
                if (towardsServer && forwarded + n > afterBytes && (!once || fired.compareAndSet(false, true))) {
                    int head = (int) Math.max(0, afterBytes - forwarded);
                    out.write(buffer, 0, head);
                    out.flush();
                    faults.incrementAndGet();
                    if (fault == Fault.STALL) {
                        closed.await(2, TimeUnit.MINUTES);
                    }
                    from.close();
                    to.close();
                    return;
                }
                if (towardsServer) {
                    recordHead(buffer, n); // before forwarding: the answer may reach the client before this line
                }
                out.write(buffer, 0, n);
                out.flush();
                forwarded += n;
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keeps the header-like lines of what was sent (printable ASCII lines up to a blank line). */
    private void recordHead(byte[] buffer, int n) {
        String text = new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String line : text.split("\r\n")) {
            if (line.matches("(?i)(PUT|POST|GET|HEAD|DELETE) .*|x-amz-[a-z0-9-]+: .*")) {
                sent.append(line).append('\n');
            }
        }
    }

    /** @return request lines and {@code x-amz-*} headers sent so far */
    String sentHeaders() {
        return sent.toString();
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        sockets.forEach(FaultyProxy::closeQuietly);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
