package io.opskit.backup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks a restored database passes before it is swapped in. */
class SqliteSourceTest {

    @TempDir
    Path dir;

    private Path database() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
            for (int i = 0; i < 200; i++) {
                s.execute("INSERT INTO notes(body) VALUES ('" + "x".repeat(200) + i + "')");
            }
        }
        return db;
    }

    @Test
    void openCheck_wholeDatabase_isOk() throws Exception {
        Path db = database();
        assertThat(SqliteSource.openCheck(db)).isEqualTo("ok");
        assertThat(SqliteSource.check(db, "quick_check")).isEqualTo("ok");
    }

    @Test
    void openCheck_truncatedDatabase_saysWhatIsMissing() throws Exception {
        Path db = database();
        byte[] bytes = Files.readAllBytes(db);
        Path cut = dir.resolve("cut.db");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 4096));
        // SQLite may notice first (a page it reads is missing); otherwise the size comparison does.
        assertThat(SqliteSource.openCheck(cut)).isNotEqualTo("ok").containsAnyOf("malformed",
                "the file holds " + (bytes.length - 4096));
    }

    @Test
    void openCheck_notADatabase_saysSo() throws Exception {
        Path junk = dir.resolve("junk.db");
        Files.write(junk, "this is not a database, only some text that is long enough".repeat(100).getBytes());
        assertThat(SqliteSource.openCheck(junk)).startsWith("not a usable SQLite database");
    }
}
