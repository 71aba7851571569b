package io.opskit.metrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The deploy gate's command line, run in-process against a loopback Prometheus stand-in. */
class DeployGateCliTest {

    record Run(int code, String out, String err) {
    }

    private final List<String> queries = new CopyOnWriteArrayList<>();

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DeployGateCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** 10,000 requests, {@code bad} of them failing, {@code fast} within the latency threshold. */
    private FakePrometheus prometheus(double bad, double fast) throws Exception {
        return new FakePrometheus(q -> {
            queries.add(q);
            return q.contains("outcome=~") ? bad : q.contains("le=") ? fast : 10_000.0;
        });
    }

    private static String[] args(FakePrometheus p, String... more) {
        List<String> a = new ArrayList<>(List.of("--prometheus", p.uri().toString(), "--job", "shop", "--label",
                "env=prod", "--availability", "api=0.999", "--latency", "api-latency=0.95@200ms", "--window", "30m"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void run_withinBudget_exitsZeroAndPrintsTheReport() throws Exception {
        try (FakePrometheus p = prometheus(5, 9_900)) {
            Run r = run(args(p));
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode report = new ObjectMapper().readTree(r.out());
            assertThat(report.get("verdict").asText()).isEqualTo("PASS");
            assertThat(report.get("checks").get(0).get("events").asDouble()).isEqualTo(10_000.0);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).startsWith("opskit-deploy-gate: PASS: api PASS, error ratio 0.05 %");
            assertThat(queries).allMatch(q -> q.contains("job=\"shop\",env=\"prod\""));
        }
    }

    @Test
    void run_overBudget_exitsOne() throws Exception {
        try (FakePrometheus p = prometheus(200, 9_900)) {
            Run r = run(args(p));
            assertThat(r.code()).isEqualTo(1);
            assertThat(new ObjectMapper().readTree(r.out()).get("verdict").asText()).isEqualTo("FAIL");
        }
    }

    @Test
    void run_maxBurnRate_passesWhatTheDefaultFails() throws Exception {
        try (FakePrometheus p = prometheus(200, 9_900)) {
            assertThat(run(args(p, "--max-burn-rate", "25")).code()).isZero();
        }
    }

    @Test
    void run_tooFewRequests_exitsTwo() throws Exception {
        try (FakePrometheus p = prometheus(0, 10_000)) {
            Run r = run(args(p, "--min-events", "20000"));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("INCONCLUSIVE").contains("fewer than the 20000 needed");
        }
    }

    @Test
    void run_excludeRouteNone_countsEveryRoute() throws Exception {
        try (FakePrometheus p = prometheus(0, 10_000)) {
            assertThat(run(args(p, "--exclude-route", "none")).code()).isZero();
            assertThat(queries).noneMatch(q -> q.contains("route!~"));
        }
    }

    @Test
    void run_badUsage_exitsTwoWithOneLine() {
        Run missing = run("--job", "shop", "--window", "30m", "--availability", "api=0.999");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().lines()).hasSize(1);
        assertThat(missing.err()).startsWith("opskit-deploy-gate: Missing required option: '--prometheus=URL'");

        Run noSlo = run("--prometheus", "http://127.0.0.1:1", "--job", "shop", "--window", "30m");
        assertThat(noSlo.code()).isEqualTo(2);
        assertThat(noSlo.err()).isEqualTo("opskit-deploy-gate: name an SLO with --availability or --latency\n");

        Run badLatency = run("--prometheus", "http://127.0.0.1:1", "--job", "shop", "--window", "30m",
                "--latency", "x=0.95");
        assertThat(badLatency.err()).contains("--latency must be NAME=OBJECTIVE@THRESHOLD: 'x=0.95'");

        Run badWindow = run("--prometheus", "http://127.0.0.1:1", "--job", "shop", "--window", "90s",
                "--availability", "api=0.999");
        assertThat(badWindow.code()).isEqualTo(2);
        assertThat(badWindow.err()).isEqualTo("opskit-deploy-gate: window must be whole minutes: PT1M30S\n");
    }

    @Test
    void run_prometheusDown_exitsTwo() {
        Run r = run("--prometheus", "http://127.0.0.1:1", "--job", "shop", "--window", "30m",
                "--availability", "api=0.999");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("INCONCLUSIVE").contains("cannot be reached");
    }
}
