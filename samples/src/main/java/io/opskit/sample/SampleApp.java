package io.opskit.sample;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running sample: an {@link HttpServer} on 127.0.0.1 with a SQLite pool, wired by the
 * {@link SampleFeature}s in a fixed order (core, notify, metrics, AI feedback, backup, then health, which
 * runs the checks the others contributed). {@link #close()} refuses new requests with 503, lets
 * in-flight requests finish (up to the drain time), stops the server, then closes features and
 * the pool.
 *
 * <p>Slow clients: a request must arrive within {@value #MAX_REQUEST_SECONDS} s (headers and body)
 * or its connection is closed; at most {@value #MAX_IDLE_CONNECTIONS} idle keep-alive connections
 * are kept; request threads grow from {@value #CORE_REQUEST_THREADS} to
 * {@value #MAX_REQUEST_THREADS} with no queue, so a health probe never waits behind clients that
 * send their headers a byte at a time.
 */
public final class SampleApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SampleApp.class);
    private static final int DRAIN_SECONDS = 10;
    /** Request threads kept while idle. */
    static final int CORE_REQUEST_THREADS = 16;
    /**
     * The most request threads. The JDK server reads a request's headers on a request thread, so
     * each slow client holds one until {@link #MAX_REQUEST_SECONDS}; beyond this many at once new
     * connections are closed at once rather than queued behind them.
     */
    static final int MAX_REQUEST_THREADS = 256;
    /** The longest a client may take to send a request (headers and body), in seconds. */
    static final int MAX_REQUEST_SECONDS = 5;
    /** The longest a client may take to read a response, in seconds. */
    static final int MAX_RESPONSE_SECONDS = 60;
    /** Idle keep-alive connections kept open at most. */
    static final int MAX_IDLE_CONNECTIONS = 64;

    /**
     * The JDK server reads its limits once, when its first server is created in this JVM: set them
     * before that, keeping any value the operator set with {@code -D}.
     */
    static void limitSlowClients() {
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(MAX_RESPONSE_SECONDS));
        setIfAbsent("sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_IDLE_CONNECTIONS));
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
        // Headers and body leave as two segments: without TCP_NODELAY a keep-alive prober waits
        // for its delayed acknowledgement (about 40 ms) on every answer.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("jdk.httpserver.maxConnections", "1024"); // JDK 19+; earlier JDKs ignore it
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private final HttpServer server;
    private final ExecutorService requestExecutor;
    private final InFlightRequests inFlight;
    private final SampleHost host;
    private final List<AutoCloseable> resources;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SampleApp(HttpServer server, ExecutorService requestExecutor, InFlightRequests inFlight,
                      SampleHost host, List<AutoCloseable> resources) {
        this.server = server;
        this.requestExecutor = requestExecutor;
        this.inFlight = inFlight;
        this.host = host;
        this.resources = resources;
    }

    /** The features in installation order. Health comes last: it runs what the others contribute. */
    static List<SampleFeature> features() {
        return List.of(new CoreFeature(), new NotifyFeature(), new MetricsFeature(), new DbFeature(),
                new AiFeedbackFeature(), new BackupFeature(), new JobsFeature(), new HealthFeature());
    }

    /**
     * Starts the sample and returns once it is listening.
     *
     * @throws java.net.BindException when the port is taken
     * @throws Exception              when a feature cannot start; everything opened so far is closed
     */
    public static SampleApp start(SampleOptions options) throws Exception {
        return start(options, features());
    }

    static SampleApp start(SampleOptions options, List<SampleFeature> features) throws Exception {
        return start(options, features, Clock.systemUTC());
    }

    /** Starts with {@code clock} as every feature's wall clock (tests give a fake one). */
    static SampleApp start(SampleOptions options, List<SampleFeature> features, Clock clock) throws Exception {
        Files.createDirectories(options.dataDir());
        Files.createDirectories(options.dataDir().resolve("backups"));
        limitSlowClients();
        // Bind first: a port in use should fail fast, before the pool and features start.
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", options.port()), 128);
        List<AutoCloseable> resources = new ArrayList<>();
        SampleHost host = null;
        try {
            SampleSettings settings = SampleSettings.load(options.dataDir(), options.env());
            HikariDataSource pool = openPool(options);
            resources.add(pool);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.add(registry::close);
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, threads("opskit-sample-bg", true));
            resources.add(scheduler::shutdownNow);
            host = new SampleHost(options, settings, pool, registry, scheduler, clock);
            for (SampleFeature feature : features) {
                feature.install(host);
            }
            InFlightRequests inFlight = new InFlightRequests();
            for (Map.Entry<String, HttpHandler> route : host.routes().entrySet()) {
                HttpContext context = server.createContext(route.getKey(), route.getValue());
                context.getFilters().add(inFlight);
                context.getFilters().addAll(host.filters());
            }
            // A direct hand-off: a request never waits in a queue behind slow clients; at the
            // maximum, the server closes the new connection (it catches the rejection).
            ThreadPoolExecutor requests = new ThreadPoolExecutor(CORE_REQUEST_THREADS, MAX_REQUEST_THREADS,
                    30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads("opskit-sample-http", false),
                    new ThreadPoolExecutor.AbortPolicy());
            server.setExecutor(requests);
            server.start();
            SampleApp app = new SampleApp(server, requests, inFlight, host, resources);
            log.info("opskit sample listening on http://127.0.0.1:{}/ (data dir {})", app.port(), options.dataDir());
            return app;
        } catch (Exception | Error e) {
            server.stop(0);
            if (host != null) {
                closeAll(host.closeables());
            }
            closeAll(resources);
            throw e;
        }
    }

    private static HikariDataSource openPool(SampleOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sample-sqlite");
        config.setJdbcUrl("jdbc:sqlite:" + options.dataDir().resolve("app.db").toAbsolutePath());
        // WAL lets readers proceed during writes and online backups; busy_timeout waits for locks.
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("busy_timeout", "5000");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(5_000);
        return new HikariDataSource(config);
    }

    private static ThreadFactory threads(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }

    /** The port the sample listens on (useful when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The host wiring, for tests. */
    SampleHost host() {
        return host;
    }

    /**
     * Stops gracefully: new requests refused with 503, in-flight requests drained (up to 10 s), then
     * feature resources and the pool closed. Safe to call more than once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("opskit sample stopping: draining in-flight requests");
        try {
            if (!inFlight.drain(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                log.warn("opskit sample: requests still running after {} s; stopping anyway", DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        requestExecutor.shutdownNow();
        // Feature resources first (they may use the pool), then scheduler, registry and pool.
        closeAll(host.closeables());
        closeAll(resources);
        log.info("opskit sample stopped");
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                log.warn("error while closing {}: {}", closeables.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }

}
