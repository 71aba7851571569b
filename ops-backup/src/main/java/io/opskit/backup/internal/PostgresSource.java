package io.opskit.backup.internal;

import io.opskit.api.backup.BackupSource;
import io.opskit.api.internal.NonClosingOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL database snapshot: {@code pg_dump -Fc} streamed from a child process. pg_dump takes
 * its snapshot in one repeatable-read transaction, so the dump is consistent while writers run.
 * pg_dump's own compression is off ({@code -Z0}): the pipeline compresses.
 */
public final class PostgresSource implements BackupSource {

    private final String name;
    private final PostgresTarget target;
    private final String pgDump;

    /** Creates the source. */
    public PostgresSource(String name, PostgresTarget target, String pgDump) {
        this.name = name;
        this.target = target;
        this.pgDump = pgDump;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(pgDump);
        command.add("--format=custom");
        command.add("--compress=0");
        command.addAll(target.connectionArgs());
        command.add("--dbname=" + target.database());
        try {
            ChildProcess.run(command, target.environment(), null, new NonClosingOutputStream(out));
        } catch (IOException e) {
            throw new IOException("PostgreSQL snapshot of " + target.describe() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "postgres:" + target.describe();
    }
}
