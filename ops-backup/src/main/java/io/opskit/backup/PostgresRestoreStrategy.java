package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import io.opskit.backup.internal.ChildProcess;
import io.opskit.backup.internal.CrashPoints;
import io.opskit.backup.internal.PostgresTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in strategy of kind {@code postgres} (a {@code pg_dump -Fc} archive): restores to a
 * {@link RestoreTarget.Postgres} database with {@code pg_restore --clean --if-exists
 * --single-transaction}, so a failure (a checksum failure at the end of the stream included) rolls
 * everything back. Every libpq parameter of the URL reaches {@code pg_restore} through its
 * environment, the password only as {@code PGPASSWORD}. The level-3 check is a full read of the
 * archive by {@code pg_restore}.
 */
final class PostgresRestoreStrategy implements RestoreStrategy {

    static final String KIND = "postgres";

    private static final String PG_RESTORE = "pg_restore";
    private static final String PSQL = "psql";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RestoreTarget target(String text) {
        return RestoreTarget.postgres(text);
    }

    static PostgresTarget parse(RestoreTarget target) {
        if (target instanceof RestoreTarget.Postgres p) {
            PostgresTarget parsed = PostgresTarget.parse(p.jdbcUrl());
            return p.password().map(parsed::withPassword).orElse(parsed);
        }
        throw new IllegalArgumentException("a postgres backup restores to RestoreTarget.postgres(jdbcUrl), not "
                + target.describe());
    }

    @Override
    public Optional<String> refusal(RestoreTarget target, RestoreOptions options) throws IOException {
        PostgresTarget db = parse(target);
        if (!options.force() && hasTables(db)) {
            return Optional.of("restore target database " + db.describe()
                    + " already has tables; restore with --force to replace its objects");
        }
        return Optional.empty();
    }

    @Override
    public void check(SnapshotArchive archive, java.nio.file.Path scratchDirectory) throws IOException {
        // A full read of the archive by pg_restore: every entry is parsed and written as SQL.
        ChildProcess.run(List.of(PG_RESTORE, "--file=/dev/null"), Map.of(), archive.snapshot(), null);
        archive.finish();
    }

    @Override
    public void restore(SnapshotArchive archive, RestoreTarget restoreTarget, RestoreOptions options) throws IOException {
        PostgresTarget target = parse(restoreTarget);
        List<String> command = new ArrayList<>();
        command.add(PG_RESTORE);
        command.add("--clean");
        command.add("--if-exists");
        command.add("--single-transaction"); // all or nothing: a failure leaves the database as it was
        command.add("--no-owner");
        command.addAll(target.connectionArgs());
        command.add("--dbname=" + target.database());
        // The stream is checked before pg_restore commits: a checksum failure makes the feed fail,
        // which kills pg_restore and rolls its transaction back.
        InputStream checked = new InputStream() {
            private boolean finished;
            private boolean started; // pg_restore has part of the archive, not all of it
            private boolean crashPointPassed;

            private final byte[] one = new byte[1]; // reused: read() is called per byte

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (started && !crashPointPassed) {
                    crashPointPassed = true;
                    CrashPoints.reached("feed pg_restore the rest of the archive");
                }
                int n = archive.snapshot().read(b, off, len);
                started |= n > 0;
                if (n < 0 && !finished) {
                    finished = true;
                    archive.finish();
                }
                return n;
            }
        };
        try {
            ChildProcess.run(command, target.environment(), checked, OutputStream.nullOutputStream());
        } catch (BackupIntegrityException | StoredArchive.ArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new BackupFailedException("restore into " + target.describe() + " failed: " + e.getMessage()
                    + "; the database was left as it was", e);
        }
    }

    private static boolean hasTables(PostgresTarget target) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(PSQL);
        command.addAll(target.connectionArgs());
        command.add("--dbname=" + target.database());
        command.add("--tuples-only");
        command.add("--no-align");
        command.add("--command=select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema')"
                + " and n.nspname not like 'pg_toast%'");
        try {
            String out = ChildProcess.run(command, target.environment(), null, null).trim();
            return !out.equals("0");
        } catch (IOException e) {
            throw new BackupFailedException("cannot reach restore target " + target.describe() + ": " + e.getMessage(), e);
        }
    }
}
