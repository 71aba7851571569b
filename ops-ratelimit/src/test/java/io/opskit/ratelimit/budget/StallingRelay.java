package io.opskit.ratelimit.budget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a database server that can stop passing bytes without closing
 * anything: the half-open connection of a stalled network. Neither end learns of the stall; each
 * sees a peer that has gone silent.
 *
 * <ul>
 *   <li>{@link #stall()}: every open connection stops passing bytes both ways and stays stalled until
 *       {@link #close()}; new connections are closed at once (a network that is down) until
 *       {@link #resume()};</li>
 *   <li>{@link #holdReplies()}: every open connection keeps passing the client's requests but holds
 *       the server's replies, so the server has done the work and waits for a client that never
 *       hears of it.</li>
 * </ul>
 */
public final class StallingRelay implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean down;
    private volatile boolean closed;

    private StallingRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "stalling-relay-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A relay from an ephemeral loopback port to {@code 127.0.0.1:targetPort}. */
    public static StallingRelay to(int targetPort) throws IOException {
        return new StallingRelay(targetPort);
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** Open connections go silent both ways for good; new ones are closed until {@link #resume()}. */
    public void stall() {
        down = true;
        for (Link link : links) {
            link.requests.hold();
            link.replies.hold();
        }
    }

    /** Open connections still pass requests but hold every reply from the server, for good. */
    public void holdReplies() {
        for (Link link : links) {
            link.replies.hold();
        }
    }

    /** New connections pass again; the stalled ones stay silent. */
    public void resume() {
        down = false;
    }

    /** How many connections were accepted and are still open. */
    public int openConnections() {
        return links.size();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (down) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                Link link = new Link(client, target);
                links.add(link);
                link.start();
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Closes every connection (both ends learn of it) and the listening socket. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Link link : links) {
            link.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }

    /** One relayed connection: a pump each way. */
    private final class Link {
        final Socket client;
        final Socket target;
        final Pump requests;
        final Pump replies;

        Link(Socket client, Socket target) throws IOException {
            this.client = client;
            this.target = target;
            this.requests = new Pump(client.getInputStream(), target.getOutputStream(), "requests");
            this.replies = new Pump(target.getInputStream(), client.getOutputStream(), "replies");
        }

        void start() {
            requests.thread.start();
            replies.thread.start();
        }

        void close() {
            requests.release();
            replies.release();
            closeQuietly(client);
            closeQuietly(target);
            links.remove(this);
        }

        /** Copies one direction; while held, bytes read stay here and nothing more is read. */
        private final class Pump {
            final InputStream in;
            final OutputStream out;
            final Thread thread;
            private boolean held;

            Pump(InputStream in, OutputStream out, String direction) {
                this.in = in;
                this.out = out;
                this.thread = new Thread(this::run, "stalling-relay-" + port() + "-" + direction);
                thread.setDaemon(true);
            }

            synchronized void hold() {
                held = true;
            }

            synchronized void release() {
                held = false;
                notifyAll();
            }

            private synchronized void awaitPassing() throws InterruptedException {
                while (held && !closed) {
                    wait();
                }
            }

            private void run() {
                byte[] buffer = new byte[16 * 1024];
                try {
                    for (;;) {
                        awaitPassing();
                        int n = in.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        awaitPassing();
                        if (closed) {
                            break;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // the other side closed, or the relay did
                }
                Link.this.close();
            }
        }
    }
}
