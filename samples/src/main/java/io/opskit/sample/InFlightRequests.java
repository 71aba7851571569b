package io.opskit.sample;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Counts requests in flight so that shutdown can wait for exactly them. The JDK server's own
 * {@code stop(delay)} waits the whole delay when nothing is in flight, so the sample drains with
 * this filter and then stops the server at once. Once draining, new requests get 503.
 */
final class InFlightRequests extends Filter {

    private final Object lock = new Object();
    private int inFlight;
    private boolean draining;

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        synchronized (lock) {
            if (!draining) {
                inFlight++;
            } else {
                exchange.getResponseHeaders().set("Connection", "close");
                HttpResponses.sendError(exchange, 503, "shutting down");
                return;
            }
        }
        try {
            chain.doFilter(exchange);
        } finally {
            synchronized (lock) {
                inFlight--;
                lock.notifyAll();
            }
        }
    }

    /**
     * Refuses new requests and waits until those in flight have finished.
     *
     * @return true when all finished within the timeout
     */
    boolean drain(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            draining = true;
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public String description() {
        return "counts in-flight requests for graceful shutdown";
    }
}
