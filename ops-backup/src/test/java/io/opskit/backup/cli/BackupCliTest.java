package io.opskit.backup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCliTest {

    @TempDir
    Path dir;

    private Path db;
    private Path key;
    private Path repo;

    record Result(int code, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BackupCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t(v) VALUES ('a'), ('b'), ('c')");
        }
        key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        repo = dir.resolve("repo");
    }

    private static long rows(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void backupListVerifyRestore_sqliteAndDir_roundTrip() throws Exception {
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("app.properties"), "x=1");

        Result backup = cli("backup", "--source", "sqlite:" + db, "--source", "dir:" + conf, "--repo", repo.toString(),
                "--key-file", key.toString(), "--compression", "gzip:6");
        assertThat(backup.code()).as(backup.err()).isZero();
        String id = backup.lastLine();
        assertThat(id).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");

        Result list = cli("list", "--repo", repo.toString(), "--key-file", key.toString(), "--json");
        assertThat(list.code()).isZero();
        JsonNode json = new ObjectMapper().readTree(list.out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("id").asText()).isEqualTo(id);
        assertThat(json.get(0).get("compression").asText()).isEqualTo("gzip:6");
        assertThat(json.get(0).get("verifiedLevel").asInt()).isEqualTo(2);
        assertThat(cli("list", "--repo", repo.toString()).out()).contains(id).contains("app.db(sqlite)");

        Result verify = cli("verify", "--repo", repo.toString(), "--key-file", key.toString(), "--level", "3", "--all");
        assertThat(verify.code()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("ok      " + id + " (level 3)");

        Path restored = dir.resolve("restored.db");
        Result restore = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id,
                "--source", "app.db", "--to", restored.toString());
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(rows(restored)).isEqualTo(3);
        Result again = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id,
                "--source", "app.db", "--to", restored.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().lines()).hasSize(1);
        assertThat(again.err()).contains("exists").contains("force");
        Result full = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id,
                "--source", "app.db", "--to", dir.resolve("full.db").toString(), "--check", "FULL");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(rows(dir.resolve("full.db"))).isEqualTo(3);
        Result badCheck = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id,
                "--source", "app.db", "--to", dir.resolve("bad.db").toString(), "--check", "thorough");
        assertThat(badCheck.code()).isNotZero();
        assertThat(badCheck.err()).contains("--check must be auto, quick or full: 'thorough'");
        assertThat(dir.resolve("bad.db")).doesNotExist();

        Result files = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id,
                "--source", "conf", "--to", dir.resolve("conf-restored").toString());
        assertThat(files.code()).as(files.err()).isZero();
        assertThat(dir.resolve("conf-restored/app.properties")).hasContent("x=1");
    }

    @Test
    void verify_wrongKey_exitsOneWithOneLineAndNoStackTrace() throws Exception {
        String id = cli("backup", "--source", "sqlite:" + db, "--repo", repo.toString(), "--key-file", key.toString()).lastLine();
        Path other = dir.resolve("other.key");
        KeyFile.loadOrCreate(other);

        Result verify = cli("verify", "--repo", repo.toString(), "--key-file", other.toString(), id);

        assertThat(verify.code()).isEqualTo(1);
        assertThat(verify.err().lines()).hasSize(1);
        assertThat(verify.err()).contains("wrong key or corrupted archive").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void prune_withoutApply_printsPlanAndDeletesNothing_withApply_deletes() {
        for (int i = 0; i < 3; i++) {
            assertThat(cli("backup", "--source", "sqlite:" + db, "--repo", repo.toString(), "--key-file", key.toString()).code())
                    .isZero();
        }

        Result plan = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "2", "--zone", "Europe/Berlin");
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("DELETE").contains("KEEP").contains("dry run");
        assertThat(cli("list", "--repo", repo.toString(), "--key-file", key.toString(), "--json").out()).contains("\"id\"");
        assertThat(count(cli("list", "--repo", repo.toString()).out())).isEqualTo(3);

        Result applied = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "2", "--apply");
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(count(cli("list", "--repo", repo.toString()).out())).isEqualTo(2);
    }

    private static long count(String listing) {
        return listing.lines().filter(l -> l.matches("^\\d{8}T.*")).count();
    }

    @Test
    void backup_keyFileReadableByOthers_warnsButSucceeds() throws Exception {
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        Result backup = cli("backup", "--source", "sqlite:" + db, "--repo", repo.toString(), "--key-file", key.toString());

        assertThat(backup.code()).isZero();
        assertThat(backup.err()).contains("warning: key file").contains("chmod 600");
    }

    @Test
    void usageErrors_exitNonZeroWithOneLine() {
        Result noCommand = cli();
        assertThat(noCommand.code()).isEqualTo(2);
        assertThat(noCommand.err().lines()).hasSize(1);

        Result badSource = cli("backup", "--source", "oracle:x", "--repo", repo.toString(), "--key-file", key.toString());
        assertThat(badSource.code()).isEqualTo(2);
        assertThat(badSource.err().lines()).hasSize(1);
        assertThat(badSource.err()).contains("oracle:x");

        Result missingKey = cli("backup", "--source", "sqlite:" + db, "--repo", repo.toString());
        assertThat(missingKey.code()).isEqualTo(2);
        assertThat(missingKey.err()).contains("--key-file");

        Result badLevel = cli("backup", "--source", "sqlite:" + db, "--repo", repo.toString(), "--key-file", key.toString(),
                "--compression", "gzip:11");
        assertThat(badLevel.code()).isEqualTo(1);
        assertThat(badLevel.err().strip()).isEqualTo("opskit-backup: gzip level must be between 1 and 9: 11");

        Result unknown = cli("verify", "--repo", repo.toString(), "--key-file", key.toString(), "20200101T000000Z-000000");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no backup 20200101T000000Z-000000");
    }

    @Test
    void helpOfEveryCommand_exitsZero_andVersionComesFromTheBuild() {
        for (String command : List.of("backup", "list", "verify", "restore", "prune")) {
            Result help = cli(command, "--help");
            assertThat(help.code()).as(command + ": " + help.err()).isZero();
            assertThat(help.out()).contains("Usage:").contains(command);
        }
        Result version = cli("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).doesNotContain("development").matches("(?s)opskit-backup \\d+\\.\\d+.*");
    }

    @Test
    void namedSource_canBeRestoredUnderTheApplicationsName() throws Exception {
        Result backup = cli("backup", "--source", "app-db=sqlite:" + db, "--repo", repo.toString(),
                "--key-file", key.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        BackupRepository repository = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();
        Path out = dir.resolve("out.db");

        repository.restore(backup.lastLine(), "app-db", out.toString(), false);

        assertThat(rows(out)).isEqualTo(3);
    }

    @Test
    void passwordInAPostgresUrl_isRefusedBeforeAnythingRuns() {
        Result r = cli("backup", "--source", "postgres:jdbc:postgresql://127.0.0.1/x?user=u&password=hunter2",
                "--repo", repo.toString(), "--key-file", key.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--password-file").doesNotContain("hunter2");
    }

    @Test
    void pruneDryRunThatWouldDeleteTooMuch_printsThePlanThenRefuses() {
        for (int i = 0; i < 4; i++) {
            assertThat(cli("backup", "--source", "sqlite:" + db, "--repo", repo.toString(), "--key-file", key.toString())
                    .code()).isZero();
        }
        Result r = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-daily", "1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("delete");
        assertThat(r.err()).contains("retention refused").doesNotContain("pass force");
    }
}
