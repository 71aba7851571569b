package io.opskit.backup.cli;

import io.opskit.backup.BackupCopy;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupStores;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RepositoryLockedException;
import io.opskit.backup.VerifyLevel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code copy --from REPO --to REPO (ID | --all)}: {@link BackupCopy} on the command line. */
@Command(name = "copy", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
        description = {"Copies verified backups to another repository (local to off-site: the 3-2-1 rule) and"
                + " verifies each one where it arrives; backups already there are skipped.",
                "Both repositories use the same key: the archives are copied byte for byte."})
final class CopyCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BackupCli cli;

    @Option(names = "--from", required = true, paramLabel = "REPO",
            description = "The repository to copy from: a directory or s3://BUCKET/PREFIX, as --repo.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "REPO",
            description = "The repository to copy to, as --from (a directory that does not exist is created).")
    String to;

    @Option(names = "--key-file", required = true, paramLabel = "FILE",
            description = "The key file the backups were made with (see FORMAT.md, \"Key file\").")
    Path keyFile;

    @Option(names = "--verify-level", paramLabel = "1|2|3", defaultValue = "2",
            description = "The level each copy is verified at where it arrives (default ${DEFAULT-VALUE}); a"
                    + " backup is copied when its latest verification in the source passed at level 2 or deeper.")
    int verifyLevel;

    @Option(names = "--all", description = "Copy every verified backup the destination lacks, oldest first.")
    boolean all;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "The backup to copy.")
    @Nullable String id;

    @CommandLine.Mixin
    BackupCli.LeaseOptions lease = new BackupCli.LeaseOptions();

    @Override
    public Integer call() {
        if (all == (id != null)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "give a backup ID or --all, not both or neither");
        }
        if (BackupStores.localDirectory(from).filter(d -> !java.nio.file.Files.isDirectory(d)).isPresent()) {
            throw new BackupCli.CliFailure("--from " + from + ": no backup repository there");
        }
        KeyFile key = BackupCli.loadKey(keyFile, cli.err);
        VerifyLevel level = VerifyLevel.of(verifyLevel);
        BackupRepository source = repositoryAt(from).keyProvider(key).build();
        BackupRepository destination = repositoryAt(to).keyProvider(key).build();
        BackupCopy copy;
        try {
            copy = BackupCopy.builder().from(source).to(destination).verifyLevel(level).lockLease(lease.lease).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--to " + to + " is the --from repository");
        }
        List<BackupCopy.Result> results;
        try {
            results = all ? copy.copyAll() : List.of(copy.copy(Objects.requireNonNull(id, "id")));
        } catch (RepositoryLockedException e) {
            throw BackupCli.locked(e, to);
        }
        String failure = null;
        int copied = 0;
        for (BackupCopy.Result r : results) {
            if (r instanceof BackupCopy.Copied c) {
                copied++;
                cli.out.println("copied   " + c.id() + " (" + BackupCli.size(c.storedBytes()) + ", verified at level "
                        + c.level().number() + " in " + to + ")");
            } else if (r instanceof BackupCopy.AlreadyThere a) {
                cli.out.println("present  " + a.id() + " (already in " + to + ")");
            } else if (r instanceof BackupCopy.NotVerified n) {
                cli.out.println("skipped  " + n.id() + ": " + n.reason());
                if (!all && failure == null) {
                    failure = n.reason();
                }
            } else if (r instanceof BackupCopy.Conflict c) {
                String why = "backup " + c.id() + " in " + to + " is another backup with the same id; it was not"
                        + " copied (look at both with list --json)";
                cli.out.println("CONFLICT " + c.id() + ": " + why);
                if (failure == null) {
                    failure = why;
                }
            }
        }
        if (failure != null) {
            throw new BackupCli.CliFailure(failure);
        }
        if (all) {
            cli.out.println("copied " + copied + " of " + results.size() + " backups to " + to);
        }
        return 0;
    }

    /** A repository named on the command line, as {@code --repo} takes it: a directory or a store URI. */
    static BackupRepository.Builder repositoryAt(String where) {
        return BackupRepository.builder().store(BackupStores.open(where));
    }
}
