package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A {@link GuardReplicaProcess} JVM seen from a test: its heartbeat, its commands, and waits
 * bounded by what it reports. The database URL reaches it through its environment.
 */
final class ReplicaJvm {

    static final long GUARD_MS = 30_000;

    /** What a replica last reported, with the test's {@code System.nanoTime()} when it arrived. */
    record Tick(long at, long admitted, long budgetRefused, long storeRefused, long otherRefused, long spent,
                long pending) {
    }

    /** What a replica reported once stopped. */
    record Done(long admitted, long spent, long pending) {
    }

    final String name;
    final Process process;
    private final OutputStream stdin;
    private final Deque<String> log = new ArrayDeque<>();
    private volatile Tick last = new Tick(0, 0, 0, 0, 0, 0, 0);
    private volatile boolean ready;
    private volatile Done done;

    private ReplicaJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::read, "replica-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a replica of {@code threads} callers on the tables with {@code prefix}; with
     * {@code waitForGo} the callers start on {@link #go()}.
     */
    static ReplicaJvm start(String name, String url, String prefix, int threads, boolean waitForGo)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                GuardReplicaProcess.class.getName(), prefix, Integer.toString(threads), waitForGo ? "go" : "now"));
        builder.environment().put("OPSKIT_GUARD_TEST_URL", url);
        builder.redirectErrorStream(true);
        return new ReplicaJvm(name, builder.start());
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] f = line.split(" ", -1);
                if (line.equals("READY")) {
                    ready = true;
                } else if (f[0].equals("TICK") && f.length == 7) {
                    last = new Tick(System.nanoTime(), Long.parseLong(f[1]), Long.parseLong(f[2]),
                            Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
                } else if (f[0].equals("DONE") && f.length == 4) {
                    done = new Done(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
                } else {
                    synchronized (log) {
                        log.addLast(line);
                        if (log.size() > 40) {
                            log.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    Tick last() {
        return last;
    }

    void awaitReady() throws InterruptedException {
        poll("ready", () -> ready, GUARD_MS);
    }

    Tick await(String what, Predicate<Tick> condition) throws InterruptedException {
        return await(what, condition, GUARD_MS);
    }

    Tick await(String what, Predicate<Tick> condition, long timeoutMs) throws InterruptedException {
        poll(what, () -> condition.test(last), timeoutMs);
        return last;
    }

    /** The first heartbeat that arrived at or after {@code nanoTime}. */
    Tick awaitUntil(long nanoTime) throws InterruptedException {
        poll("a heartbeat", () -> last.at >= nanoTime,
                GUARD_MS + TimeUnit.NANOSECONDS.toMillis(nanoTime - System.nanoTime()));
        return last;
    }

    void go() throws IOException {
        send("GO");
    }

    void send(String command) throws IOException {
        stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Stops the callers, waits for every settlement to be delivered and for the process to exit. */
    Done stop() throws Exception {
        requestStop();
        return awaitDone();
    }

    /** Tells the replica to stop its callers and deliver what it still owes the store. */
    void requestStop() throws IOException {
        stdin.close();
    }

    /** Waits for the replica stopped by {@link #requestStop()} to report and exit. */
    Done awaitDone() throws Exception {
        poll("done", () -> done != null, GUARD_MS * 2);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("replica %s exits", name).isTrue();
        assertThat(process.exitValue()).as("replica %s exit code", name).isZero();
        return done;
    }

    /** Kills the process if it still runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void poll(String what, BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0 || !process.isAlive() && !condition.getAsBoolean()) {
                String recent;
                synchronized (log) {
                    recent = String.join("\n", log);
                }
                throw new AssertionError("replica " + name + " not " + what + " in time; last " + last
                        + (process.isAlive() ? "" : ", exited " + process.exitValue()) + "\n" + recent);
            }
            Thread.sleep(20); // polling another process's heartbeat; the timeout only bounds a failure
        }
    }
}
