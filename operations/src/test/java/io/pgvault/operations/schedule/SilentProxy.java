package io.pgvault.operations.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay on a loopback port that can {@link #goSilent() go silent}: from then on it swallows every byte in both
 * directions and closes nothing, which is what a dead network path does to a connection (half-open: no FIN, no RST).
 * {@link #close()} closes every socket, so the server then sees its sessions end.
 */
final class SilentProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String host;
    private final int port;
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean silent;

    SilentProxy(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept, "silent-proxy-accept");
    }

    /** @return the loopback port clients connect to */
    int port() {
        return server.getLocalPort();
    }

    /** Stops relaying; keeps every connection open. */
    void goSilent() {
        silent = true;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(host, port);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                daemon(() -> relay(client, upstream), "silent-proxy-up");
                daemon(() -> relay(upstream, client), "silent-proxy-down");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!silent) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one side is gone
        }
        if (!silent) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            sockets.forEach(SilentProxy::closeQuietly);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing a relay socket: nothing to do about it
        }
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
