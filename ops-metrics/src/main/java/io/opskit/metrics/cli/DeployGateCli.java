package io.opskit.metrics.cli;

import io.opskit.api.internal.DurationText;
import io.opskit.metrics.DeployGate;
import io.opskit.metrics.GateReport;
import io.opskit.metrics.GateSource;
import io.opskit.metrics.MetricsExport;
import io.opskit.metrics.Slo;
import io.opskit.metrics.SloTracker;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar opskit-metrics-cli.jar --prometheus URL --job JOB --availability NAME=0.999 --window 30m}:
 * evaluates a {@link DeployGate} over a Prometheus server's figures for a deploy script. Prints the
 * report as JSON on standard output and one summary line on standard error; exits 0 on PASS, 1 on
 * FAIL and 2 on INCONCLUSIVE or an error (bad usage, with one line on standard error).
 */
@Command(name = "opskit-deploy-gate", mixinStandardHelpOptions = true, versionProvider = DeployGateCli.Version.class,
        sortOptions = false,
        description = {"Judges a deployment from its SLOs over a window of a Prometheus server's figures.",
                "Exit codes: 0 PASS, 1 FAIL, 2 INCONCLUSIVE or error."})
public final class DeployGateCli implements Callable<Integer> {

    /** Exit code of bad usage and errors, shared with INCONCLUSIVE. */
    static final int USAGE = 2;

    @Option(names = "--prometheus", required = true, paramLabel = "URL",
            description = "The Prometheus server, such as http://prometheus:9090.")
    @Nullable URI prometheus;

    @Option(names = "--job", required = true, paramLabel = "JOB", description = "The service's Prometheus job label.")
    @Nullable String job;

    @Option(names = "--label", paramLabel = "NAME=VALUE",
            description = "A further label every series of the service has (repeatable), such as env=prod.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--availability", paramLabel = "NAME=OBJECTIVE",
            description = "An availability SLO, such as api=0.999 (repeatable).")
    Map<String, String> availability = new LinkedHashMap<>();

    @Option(names = "--latency", paramLabel = "NAME=OBJECTIVE@THRESHOLD",
            description = "A latency SLO, such as api-latency=0.95@200ms (repeatable).")
    Map<String, String> latency = new LinkedHashMap<>();

    @Option(names = "--exclude-route", paramLabel = "ROUTE",
            description = "A route the SLOs leave out with everything below it (repeatable; default /health, "
                    + "/metrics and /admin). 'none' counts every route.")
    List<String> excludedRoutes = new ArrayList<>();

    @Option(names = "--max-burn-rate", paramLabel = "RATE", defaultValue = "1",
            description = "The highest burn rate that passes (default ${DEFAULT-VALUE}: the budget's own pace).")
    double maxBurnRate;

    @Option(names = "--window", required = true, paramLabel = "DURATION",
            description = "The window the figures cover, ending now, such as 30m.")
    @Nullable String window;

    @Option(names = "--min-events", paramLabel = "N", defaultValue = "100",
            description = "The fewest requests an SLO needs to be judged (default ${DEFAULT-VALUE}).")
    long minEvents;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long each query may take (default ${DEFAULT-VALUE}).")
    String timeout = "10s";

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    /** Runs the tool and exits with its code. */
    public static void main(String[] args) {
        // No SLF4J binding ships in the jar: keep its one-time notice off stderr.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool in-process.
     *
     * @return the exit code: 0 PASS, 1 FAIL, 2 INCONCLUSIVE or error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        DeployGateCli cli = new DeployGateCli();
        cli.out = out;
        cli.err = err;
        CommandLine cmd = new CommandLine(cli);
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cmd.setParameterExceptionHandler((ex, arguments) -> {
            err.println("opskit-deploy-gate: " + oneLine(String.valueOf(ex.getMessage())) + " (see --help)");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String m = ex.getMessage();
            err.println("opskit-deploy-gate: " + oneLine(m == null || m.isBlank() ? ex.getClass().getSimpleName() : m));
            return USAGE;
        });
        return cmd.execute(args);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\R", " ").strip();
    }

    @Override
    public Integer call() {
        List<Slo> slos = new ArrayList<>();
        for (var e : availability.entrySet()) {
            slos.add(excluded(Slo.availability(e.getKey(), objective(e.getKey(), e.getValue()))));
        }
        for (var e : latency.entrySet()) {
            int at = e.getValue().indexOf('@');
            if (at < 0) {
                throw new IllegalArgumentException("--latency must be NAME=OBJECTIVE@THRESHOLD: '" + e.getKey() + "="
                        + e.getValue() + "'");
            }
            slos.add(excluded(Slo.latency(e.getKey(), objective(e.getKey(), e.getValue().substring(0, at)),
                    DurationText.parse(e.getValue().substring(at + 1)))));
        }
        if (slos.isEmpty()) {
            throw new IllegalArgumentException("name an SLO with --availability or --latency");
        }
        SloTracker.Builder tracker = SloTracker.builder();
        DeployGate.Builder gate = DeployGate.builder().window(DurationText.parse(require(window)))
                .minEvents(minEvents);
        for (Slo slo : slos) {
            tracker.slo(slo);
            gate.slo(slo, maxBurnRate);
        }
        MetricsExport.Builder export = MetricsExport.builder().job(require(job)).slos(tracker.build());
        labels.forEach(export::selectorLabel);
        GateSource source = GateSource.prometheus(require(prometheus), export.build(), DurationText.parse(timeout));
        GateReport report = gate.build().evaluate(source);
        out.println(report.toJson());
        err.println("opskit-deploy-gate: " + report.summary());
        return report.verdict().exitCode();
    }

    private Slo excluded(Slo slo) {
        if (excludedRoutes.isEmpty()) {
            return slo;
        }
        return slo.withExcludedRoutes(excludedRoutes.equals(List.of("none")) ? Set.of() : Set.copyOf(excludedRoutes));
    }

    private static double objective(String name, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("objective of slo '" + name + "' must be a number such as 0.999: '"
                    + text + "'");
        }
    }

    private static <T> T require(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("required option missing");
        }
        return value;
    }

    /** The version of the ops-metrics jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DeployGateCli.class.getPackage().getImplementationVersion();
            return new String[] {"opskit-deploy-gate " + (v == null ? "(development build)" : v)};
        }
    }
}
