package io.opskit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.opskit.api.health.HealthResult;
import io.opskit.health.CheckOptions;
import io.opskit.health.HealthEndpoint;
import io.opskit.health.HealthHttpHandler;
import io.opskit.health.HealthResponse;
import io.opskit.health.OpsHealth;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Whole-process benchmark: 30 checks, 10 of which hang ignoring interruption, behind
 * {@link HealthHttpHandler} on a loopback JDK {@code HttpServer}, probed by 100 concurrent clients
 * for a while. Reports probe latency (p50, p99, max), runs per check and the JVM's thread count
 * over time, as a JSON summary. Goals: max at most the deadline plus 100 ms, p99 at most 1.1 times
 * the slowest healthy check, thread count flat. With {@code --client wrk} the probes come from wrk
 * (Debian package {@code wrk}: an event-driven load generator, one thread serving every connection)
 * in a process of its own instead of a thread per client in this one, after an unreported 5 s
 * warm-up run, and wrk's latency figures are reported. With {@code --handler floor} the same probes
 * are answered by {@link FloorHandler}, the least any engine must do, to show what the server and
 * machine alone cost.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.opskit.benchmarks.HealthUnderLoadBenchmark \
 *      [--seconds 60] [--clients 100] [--client sockets|wrk] [--handler engine|floor]
 *      [--out HealthUnderLoadBenchmark.json]
 * </pre>
 */
public final class HealthUnderLoadBenchmark {

    private static final int CHECKS = 30;
    private static final int WRK_WARMUP_SECONDS = 5;
    private static final int HUNG = 10;
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Healthy checks take 5, 10, ... 50 ms; the slowest is 50 ms. */
    private static final int SLOWEST_HEALTHY_MS = 50;

    private HealthUnderLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "60"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "100"));
        Path out = Path.of(opts.getOrDefault("out", "HealthUnderLoadBenchmark.json"));

        String client = opts.getOrDefault("client", "sockets");
        if (!client.equals("sockets") && !client.equals("wrk")) {
            throw new IllegalArgumentException("--client must be 'sockets' or 'wrk': '" + client + "'");
        }
        String handler = opts.getOrDefault("handler", "engine");
        if (!handler.equals("engine") && !handler.equals("floor")) {
            throw new IllegalArgumentException("--handler must be 'engine' or 'floor': '" + handler + "'");
        }
        CountDownLatch never = new CountDownLatch(1);
        ConcurrentLinkedQueue<Long> slowestRuns = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray runs = new AtomicIntegerArray(CHECKS);
        OpsHealth.Builder builder = OpsHealth.builder().deadline(DEADLINE);
        for (int i = 0; i < CHECKS; i++) {
            int index = i;
            boolean hung = i < HUNG;
            int sleepMs = 5 * (1 + (i - HUNG) % 10);
            builder.register("check-" + i, () -> {
                runs.incrementAndGet(index);
                if (hung) {
                    while (true) {
                        try {
                            never.await();
                        } catch (InterruptedException ignored) {
                            // a stuck driver call that ignores interruption
                        }
                    }
                }
                long runStart = System.nanoTime();
                Thread.sleep(sleepMs);
                if (sleepMs == SLOWEST_HEALTHY_MS) {
                    slowestRuns.add(System.nanoTime() - runStart); // what the slowest check really took
                }
                return HealthResult.up();
            }, CheckOptions.defaults().withTimeout(TIMEOUT).critical(!hung));
        }
        OpsHealth health = builder.build();
        // As the README tells hosts: without TCP_NODELAY every keep-alive answer waits ~40 ms for
        // a delayed acknowledgement between its header and body segments.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        HealthEndpoint endpoint = HealthEndpoint.builder(health).build();
        server.createContext("/health", handler.equals("engine") ? new HealthHttpHandler(endpoint)
                : new FloorHandler(endpoint.handle("/health/ready", null)));
        ExecutorService serverThreads = Executors.newFixedThreadPool(clients + 8);
        server.setExecutor(serverThreads);
        server.start();
        byte[] request = ("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        int port = server.getAddress().getPort();

        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        List<Thread> probes = new ArrayList<>();
        long began = System.nanoTime();
        for (int c = 0; client.equals("sockets") && c < clients; c++) {
            Thread t = new Thread(() -> {
                // A keep-alive HTTP/1.1 client on a plain socket, as a load balancer's prober is:
                // a full HTTP client library on the same two cores would measure itself.
                Socket socket = null;
                InputStream in = null;
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        if (socket == null) {
                            socket = new Socket("127.0.0.1", port);
                            socket.setTcpNoDelay(true);
                            socket.setSoTimeout(10_000);
                            // Buffered, as any prober reads: a system call per byte would cost the
                            // shared cores more than the server's whole answer.
                            in = new BufferedInputStream(socket.getInputStream(), 8192);
                        }
                        socket.getOutputStream().write(request);
                        int status = readResponse(in);
                        if (status >= 500 && status != 503) {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                        closeQuietly(socket);
                        socket = null;
                        in = null;
                    }
                    latencies.add(new long[] {start - began, System.nanoTime() - start});
                }
                closeQuietly(socket);
            }, "probe-" + c);
            t.setDaemon(true);
            probes.add(t);
        }
        probes.forEach(Thread::start);
        Process wrk = null;
        if (client.equals("wrk")) {
            // wrk opens every connection at once and starts timing at once: a first, unreported run
            // lets the JVM compile the server's path before the measured one, which the socket
            // clients' maxAfterFirstSecondMs shows separately instead.
            wrkSummary(startWrk(port, clients, WRK_WARMUP_SECONDS));
            wrk = startWrk(port, clients, seconds);
        }
        List<Map<String, Object>> threadsOverTime = new ArrayList<>();
        for (int s = 1; s <= seconds; s++) {
            Thread.sleep(1_000);
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("second", s);
            sample.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
            threadsOverTime.add(sample);
        }
        stop.set(true);
        for (Thread t : probes) {
            t.join(15_000);
        }
        Map<String, Object> wrkFigures = wrk == null ? Map.of() : wrkSummary(wrk);
        double elapsed = (System.nanoTime() - began) / 1e9;
        server.stop(0);
        serverThreads.shutdownNow();
        health.close();
        never.countDown();

        long[] sorted = latencies.stream().mapToLong(l -> l[1]).sorted().toArray();
        long[] afterFirstSecond = latencies.stream().filter(l -> l[0] >= 1_000_000_000L).mapToLong(l -> l[1]).sorted()
                .toArray();
        long[] slowest = slowestRuns.stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("benchmark", "HealthUnderLoadBenchmark");
        summary.put("jdk", System.getProperty("java.version"));
        summary.put("cores", Runtime.getRuntime().availableProcessors());
        summary.put("checks", CHECKS);
        summary.put("hungChecks", HUNG);
        summary.put("client", client);
        summary.put("handler", handler);
        summary.put("clients", clients);
        summary.put("seconds", Math.round(elapsed));
        summary.put("deadlineMs", DEADLINE.toMillis());
        summary.put("timeoutMs", TIMEOUT.toMillis());
        summary.put("slowestHealthyMs", SLOWEST_HEALTHY_MS);
        if (client.equals("sockets")) {
            summary.put("probes", sorted.length);
            summary.put("failures", failures.get());
            summary.put("probesPerSecond", Math.round(sorted.length / elapsed));
            summary.put("p50Ms", millis(percentile(sorted, 0.50)));
            summary.put("p90Ms", millis(percentile(sorted, 0.90)));
            summary.put("p95Ms", millis(percentile(sorted, 0.95)));
            summary.put("p99Ms", millis(percentile(sorted, 0.99)));
            summary.put("p999Ms", millis(percentile(sorted, 0.999)));
            summary.put("maxMs", millis(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
            summary.put("maxAfterFirstSecondMs", millis(afterFirstSecond.length == 0 ? 0
                    : afterFirstSecond[afterFirstSecond.length - 1]));
        }
        summary.putAll(wrkFigures);
        // The platform's own share: how long the slowest healthy check's Thread.sleep really took.
        summary.put("slowestCheckRunP50Ms", millis(percentile(slowest, 0.50)));
        summary.put("slowestCheckRunP99Ms", millis(percentile(slowest, 0.99)));
        summary.put("goalMaxMs", DEADLINE.toMillis() + 100);
        summary.put("goalP99Ms", SLOWEST_HEALTHY_MS * 1.1);
        int[] perCheck = new int[CHECKS];
        for (int i = 0; i < CHECKS; i++) {
            perCheck[i] = runs.get(i);
        }
        summary.put("runsPerHungCheck", Arrays.copyOfRange(perCheck, 0, HUNG));
        summary.put("runsPerHealthyCheck", Arrays.copyOfRange(perCheck, HUNG, CHECKS));
        summary.put("threadsOverTime", threadsOverTime);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(out, json.writeValueAsString(summary));
        System.out.println(json.writeValueAsString(summary));
        System.exit(0); // the hung checks' daemon threads stay parked; nothing else to wait for
    }

    /**
     * The platform's floor, for {@code --handler floor}: what any engine needs at least on this
     * server and machine. The healthy checks' sleeps (5 to 50 ms) run as one shared run, slowest
     * first, that every probe arriving meanwhile joins; then each probe gets the engine's own
     * answer, rendered once at start. No timeouts, no results, no metrics, no hung checks (the
     * engine answers those from their timed-out runs at no cost).
     */
    private static final class FloorHandler implements HttpHandler {
        private final HealthResponse answer;
        private final ExecutorService runs = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "floor-run");
            t.setDaemon(true);
            return t;
        });
        private @Nullable CompletableFuture<Void> current; // guarded by this

        FloorHandler(HealthResponse answer) {
            this.answer = answer;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            CompletableFuture<Void> run;
            synchronized (this) {
                run = current;
                if (run == null || run.isDone()) {
                    CompletableFuture<?>[] sleeps = new CompletableFuture<?>[CHECKS - HUNG];
                    for (int i = 0; i < sleeps.length; i++) {
                        long ms = SLOWEST_HEALTHY_MS - 5L * (i / 2);
                        sleeps[i] = CompletableFuture.runAsync(() -> {
                            try {
                                Thread.sleep(ms);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }, runs);
                    }
                    run = CompletableFuture.allOf(sleeps);
                    current = run;
                }
            }
            run.join();
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), answer.body().length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(answer.body());
            }
        }
    }

    /** Starts wrk (an event-driven load generator, one thread) with {@code clients} keep-alive connections. */
    private static Process startWrk(int port, int clients, int seconds) throws IOException {
        return new ProcessBuilder("wrk", "-t", "1", "-c", Integer.toString(clients), "-d", seconds + "s", "--latency",
                "--timeout", "10s", "http://127.0.0.1:" + port + "/health/ready").redirectErrorStream(true).start();
    }

    /** wrk's own figures: requests, its latency percentiles and maximum, in milliseconds. */
    private static Map<String, Object> wrkSummary(Process wrk) throws IOException, InterruptedException {
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(30, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].matches("(50|90|99)%")) {
                figures.put("wrkP" + f[0].replace("%", "") + "Ms", wrkMillis(f[1]));
            } else if (f.length >= 4 && f[0].equals("Latency")) {
                figures.put("wrkMaxMs", wrkMillis(f[3]));
            } else if (f.length >= 2 && f[1].equals("requests")) {
                figures.put("wrkRequests", Long.parseLong(f[0]));
            }
        }
        if (!figures.containsKey("wrkP99Ms")) {
            throw new IllegalStateException("no latency distribution in wrk's output:\n" + output);
        }
        return figures;
    }

    /** A wrk duration ({@code 812.00us}, {@code 53.32ms}, {@code 1.06s}) in milliseconds. */
    static double wrkMillis(String value) {
        if (value.endsWith("us")) {
            return Double.parseDouble(value.substring(0, value.length() - 2)) / 1000.0;
        }
        if (value.endsWith("ms")) {
            return Double.parseDouble(value.substring(0, value.length() - 2));
        }
        if (value.endsWith("m")) {
            return Double.parseDouble(value.substring(0, value.length() - 1)) * 60_000.0;
        }
        if (value.endsWith("s")) {
            return Double.parseDouble(value.substring(0, value.length() - 1)) * 1000.0;
        }
        throw new IllegalArgumentException("not a wrk duration: '" + value + "'");
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    /** Reads one HTTP/1.1 response with a Content-Length body; returns its status code. */
    static int readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(256);
        while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            head.append((char) b);
        }
        String text = head.toString();
        int status = Integer.parseInt(text.substring(9, 12));
        long length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        while (length > 0) {
            long skipped = in.skip(length);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("body cut short");
                }
                skipped = 1;
            }
            length -= skipped;
        }
        return status;
    }

    private static void closeQuietly(@Nullable Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
