package io.opskit.backup.cli;

import io.opskit.api.internal.DurationText;
import io.opskit.backup.internal.LeaseLock;
import io.opskit.backup.internal.RepositoryLease;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lock status} and {@code lock break}: the repository's writer lease, for an operator. */
final class LockCommands {

    private LockCommands() {
    }

    @Command(name = "lock", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
            description = "Shows or breaks the repository's writer lock (the lease a backup, prune or copy holds).",
            subcommands = {LockStatus.class, LockBreak.class})
    static final class Lock implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @Override
        public Integer call() {
            cli.err.println("opskit-backup: name a lock command: status or break (see lock --help)");
            return 2;
        }
    }

    static String describe(LeaseLock.Holder holder) {
        return holder.owner() + (holder.host().isEmpty() ? "" : " (host " + holder.host() + ", pid " + holder.pid() + ")");
    }

    static boolean goneHere(LeaseLock.Holder holder) {
        String here;
        try {
            here = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return false;
        }
        return holder.host().equals(here) && holder.pid() > 0
                && ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
            description = "Prints who holds the writer lock and until when (exit 0 whether locked or not).")
    static final class LockStatus implements Callable<Integer> {
        @CommandLine.ParentCommand
        Lock lock;

        @CommandLine.Mixin
        BackupCli.RepoOptions repo = new BackupCli.RepoOptions();

        @Override
        public Integer call() throws Exception {
            BackupCli cli = lock.cli;
            Clock clock = Clock.systemUTC();
            java.util.Optional<LeaseLock.Holder> holder = RepositoryLease.holder(repo.builder(false, cli.err).build().store());
            if (holder.isEmpty()) {
                cli.out.println("not locked: no writer holds " + repo.repo);
            } else if (!RepositoryLease.live(holder.get(), clock)) {
                cli.out.println("not locked: the last lease, of " + describe(holder.get()) + ", ended at "
                        + holder.get().expiresAt() + "; the next writer takes it over");
            } else {
                cli.out.println("locked by " + describe(holder.get()) + " until " + holder.get().expiresAt() + " (another "
                        + DurationText.format(RepositoryLease.remaining(holder.get(), clock)) + " unless renewed)"
                        + (goneHere(holder.get()) ? "; that process is gone, so the next writer on this host takes"
                                + " the lock over" : ""));
            }
            return 0;
        }
    }

    @Command(name = "break", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
            description = {"Breaks the writer lock of a writer that is gone (killed, or its host lost) so that others"
                    + " need not wait for its lease to run out.",
                    "A writer still running loses the lock at its next renewal and does not commit."})
    static final class LockBreak implements Callable<Integer> {
        @CommandLine.ParentCommand
        Lock lock;

        @CommandLine.Mixin
        BackupCli.RepoOptions repo = new BackupCli.RepoOptions();

        @Option(names = "--confirm", description = "Confirms that the holder is gone: required.")
        boolean confirm;

        @Override
        public Integer call() throws Exception {
            BackupCli cli = lock.cli;
            io.opskit.api.backup.BackupStore store = repo.builder(false, cli.err).build().store();
            java.util.Optional<LeaseLock.Holder> holder = RepositoryLease.holder(store);
            if (holder.isEmpty()) {
                cli.out.println("not locked: nothing to break in " + repo.repo);
                return 0;
            }
            if (!confirm) {
                throw new CommandLine.ParameterException(new CommandLine(this), "lock break needs --confirm: the lock"
                        + " is held by " + describe(holder.get()) + " until " + holder.get().expiresAt() + "; make sure"
                        + " that writer is gone first (two writers at once can corrupt the repository)");
            }
            java.util.Optional<LeaseLock.Holder> broken = RepositoryLease.breakLease(store,
                    "opskit-backup lock break (pid " + ProcessHandle.current().pid() + ")");
            cli.out.println(broken.map(h -> "broke the writer lock of " + describe(h) + " (lease until "
                    + h.expiresAt() + ")").orElse("not locked: it was released meanwhile"));
            return 0;
        }
    }
}
