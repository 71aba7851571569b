package io.opskit.sample;

import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the sample: {@code java -jar opskit-sample.jar [--port N] [--data-dir DIR]}.
 *
 * <p>{@code PORT} sets the port when {@code --port} is not given; {@code OPSKIT_ADMIN_TOKEN}
 * enables the admin endpoints; {@code LOG_JSON=true} switches logs to JSON lines. Exits non-zero
 * with a one-line reason on stderr for a bad flag, a port in use, or a start-up failure. SIGTERM
 * and SIGINT stop it gracefully.
 */
@Command(name = "opskit-sample", mixinStandardHelpOptions = true,
        description = "Opskit sample host application.")
public final class SampleMain implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT",
            description = "TCP port on 127.0.0.1 (default: $PORT or 8080; 0 picks a free port)")
    private @Nullable Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default: ./opskit-data)")
    private Path dataDir = Path.of("opskit-data");

    private @Nullable SampleOptions parsed;
    private final Map<String, String> env;

    private SampleMain(Map<String, String> env) {
        this.env = env;
    }

    /** The outcome of a launch: a running app, or an exit code (0 for --help/--version). */
    record Launch(@Nullable SampleApp app, int exitCode) {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        if ("true".equalsIgnoreCase(env.getOrDefault("LOG_JSON", ""))) {
            // Must be set before the first logger is created.
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        SampleApp.limitSlowClients(); // before anything creates a JDK HTTP server
        Launch launch = launch(args, env, System.out, System.err);
        SampleApp app = launch.app();
        if (app == null) {
            System.exit(launch.exitCode());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "opskit-sample-shutdown"));
    }

    /**
     * Parses the arguments and starts the sample. Never exits the JVM; prints one line to
     * {@code err} on failure.
     */
    static Launch launch(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        SampleMain command = new SampleMain(env);
        CommandLine cli = new CommandLine(command);
        cli.setOut(new java.io.PrintWriter(out, true));
        try {
            CommandLine.ParseResult result = cli.parseArgs(args);
            if (CommandLine.executeHelpRequest(result) != null) {
                return new Launch(null, 0);
            }
            command.call();
        } catch (CommandLine.ParameterException e) {
            err.println("opskit-sample: " + e.getMessage().lines().findFirst().orElse("invalid arguments")
                    + " (see --help)");
            return new Launch(null, 2);
        } catch (IllegalArgumentException e) {
            err.println("opskit-sample: " + e.getMessage());
            return new Launch(null, 2);
        }
        SampleOptions options = command.parsed;
        try {
            return new Launch(SampleApp.start(options), 0);
        } catch (BindException e) {
            err.println("opskit-sample: cannot listen on 127.0.0.1:" + options.port() + ": address already in use");
            return new Launch(null, 1);
        } catch (Exception e) {
            err.println("opskit-sample: failed to start: " + oneLine(e));
            return new Launch(null, 1);
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
        return text.lines().findFirst().orElse(text);
    }

    @Override
    public Integer call() {
        int effectivePort = port != null ? port : parsePortEnv(env.get("PORT"));
        parsed = new SampleOptions(effectivePort, dataDir.toAbsolutePath().normalize(),
                env.get("OPSKIT_ADMIN_TOKEN"), "true".equalsIgnoreCase(env.getOrDefault("LOG_JSON", "")), env);
        return 0;
    }

    private static int parsePortEnv(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return 8080;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PORT must be a number between 0 and 65535: '" + value + "'");
        }
    }
}
