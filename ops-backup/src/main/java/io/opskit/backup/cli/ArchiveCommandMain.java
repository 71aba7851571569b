package io.opskit.backup.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CLI jar's entry point. PostgreSQL starts a process per WAL file for {@code archive_command}
 * and {@code restore_command}, so {@code wal-push} and {@code wal-fetch} are parsed here by hand
 * and run without picocli's reflection over every command, Jackson or the other commands' classes:
 * that is most of what such a short-lived JVM would otherwise spend before its first byte of WAL.
 * Everything else, and any {@code wal-push}/{@code wal-fetch} line this parser does not take as
 * given ({@code --help}, a missing or unknown option), goes to {@link BackupCli}, which answers
 * exactly as before.
 */
public final class ArchiveCommandMain {

    private ArchiveCommandMain() {
    }

    /**
     * Runs the CLI and exits with its code.
     *
     * @param args the command line, e.g. {@code wal-push --repo DIR --key-file FILE PATH}
     */
    public static void main(String[] args) {
        // No SLF4J binding ships in the jar: keep its one-time notice off stderr (see BackupCli).
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Optional<ArchiveCommand> command = ArchiveCommand.parse(args);
        if (command.isEmpty()) {
            BackupCli.main(args);
            return;
        }
        System.exit(command.get().run());
    }

    /** A {@code wal-push} or {@code wal-fetch} command line, parsed. */
    record ArchiveCommand(String name, Path repo, Path keyFile, String compression, int prefetch, List<String> positional) {

        /**
         * The command, or empty when {@code args} is not a complete {@code wal-push}/{@code wal-fetch}
         * line of known options (then {@link BackupCli} parses it and explains what is wrong).
         */
        static Optional<ArchiveCommand> parse(String[] args) {
            if (args.length == 0 || !(args[0].equals("wal-push") || args[0].equals("wal-fetch"))) {
                return Optional.empty();
            }
            boolean push = args[0].equals("wal-push");
            @Nullable String repo = null;
            @Nullable String keyFile = null;
            @Nullable String compression = null;
            @Nullable String prefetch = null;
            List<String> positional = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("-") || a.equals("-")) {
                    positional.add(a);
                    continue;
                }
                int eq = a.indexOf('=');
                String option = eq < 0 ? a : a.substring(0, eq);
                String value;
                if (eq >= 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    return Optional.empty();
                }
                switch (option) {
                    case "--repo" -> {
                        if (repo != null) {
                            return Optional.empty();
                        }
                        repo = value;
                    }
                    case "--key-file" -> {
                        if (keyFile != null) {
                            return Optional.empty();
                        }
                        keyFile = value;
                    }
                    case "--compression" -> {
                        if (!push || compression != null) {
                            return Optional.empty();
                        }
                        compression = value;
                    }
                    case "--prefetch" -> {
                        if (push || prefetch != null || !value.matches("[0-9]{1,4}") || Integer.parseInt(value) < 1) {
                            return Optional.empty();
                        }
                        prefetch = value;
                    }
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            if (repo == null || keyFile == null || positional.size() != (push ? 1 : 2)) {
                return Optional.empty();
            }
            return Optional.of(new ArchiveCommand(args[0], Path.of(repo), Path.of(keyFile),
                    compression == null ? "zstd" : compression, prefetch == null ? 0 : Integer.parseInt(prefetch),
                    List.copyOf(positional)));
        }

        /** Runs it; the exit code PostgreSQL expects (see {@link WalCommands#push} and {@link WalCommands#fetch}). */
        int run() {
            if (name.equals("wal-push")) {
                return WalCommands.push(repo, keyFile, compression, Path.of(positional.get(0)), System.err);
            }
            return WalCommands.fetch(repo, keyFile, positional.get(0), Path.of(positional.get(1)), prefetch, System.err);
        }
    }
}
