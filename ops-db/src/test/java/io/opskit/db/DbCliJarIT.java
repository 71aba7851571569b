package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs target/opskit-db-cli.jar as a user would. */
class DbCliJarIT {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", Path.of("target", "opskit-db-cli.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("err").toFile())
                .redirectOutput(dir.resolve("out").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    @Test
    void reportMaintainRetain_onASqliteFile_workAndExitZero() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE feedback(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT)");
            s.execute("INSERT INTO feedback(created_at, body) VALUES (0, 'old'), (0, 'old'), ("
                    + System.currentTimeMillis() + ", 'new'), (" + System.currentTimeMillis() + ", 'new')");
        }
        String url = "jdbc:sqlite:" + db;
        Result report = cli("report", "--url", url, "--json");
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("\"system\": \"sqlite\"").contains("\"id\": \"database_size\"");

        Result maintain = cli("maintain", "--url", url, "--task", "vacuum");
        assertThat(maintain.code()).as(maintain.err()).isZero();
        assertThat(maintain.out()).startsWith("dry run: sqlite.vacuum would run 1 statement(s): VACUUM");

        Result dry = cli("retain", "--url", url, "--table", "feedback", "--older-than", "created_at=30d",
                "--time-format", "EPOCH_MILLIS");
        assertThat(dry.out()).startsWith("dry run: would delete 2 of 4 rows of feedback");
        Result apply = cli("retain", "--url", url, "--table", "feedback", "--older-than", "created_at=30d",
                "--time-format", "EPOCH_MILLIS", "--apply");
        assertThat(apply.code()).as(apply.err()).isZero();
        assertThat(apply.out()).startsWith("delete 2 rows of feedback");
    }

    @Test
    void badArguments_exitNonZeroWithOneLine() throws Exception {
        Result r = cli("retain", "--url", "jdbc:sqlite:" + dir.resolve("x.db"), "--table", "t; drop", "--older-than", "c=1d");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip().lines()).hasSize(1).first().asString().contains("plain SQL identifier");
        Result pw = cli("report", "--url", "jdbc:postgresql://127.0.0.1/x?user=a&password=secret");
        assertThat(pw.code()).isNotZero();
        assertThat(pw.err()).contains("must not contain a password").doesNotContain("secret");
    }
}
