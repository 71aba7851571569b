package io.opskit.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NotBlank;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SqlDialectTest {

    @Test
    void fromProductName_driversProductNames_detectTheirDialect() {
        assertThat(SqlDialect.fromProductName("PostgreSQL")).contains(SqlDialect.POSTGRESQL);
        assertThat(SqlDialect.fromProductName("MariaDB")).contains(SqlDialect.MARIADB);
        assertThat(SqlDialect.fromProductName("MySQL")).contains(SqlDialect.MARIADB);
        assertThat(SqlDialect.fromProductName("SQLite")).contains(SqlDialect.SQLITE);
        assertThat(SqlDialect.fromProductName("Oracle")).isEmpty();
    }

    @Test
    void insertIfAbsentAndUpsert_mariadb_useItsOwnSyntax() {
        assertThat(SqlDialect.MARIADB.insertIfAbsent("t", "(a) VALUES (?)")).isEqualTo("INSERT IGNORE INTO t (a) VALUES (?)");
        assertThat(SqlDialect.SQLITE.insertIfAbsent("t", "(a) VALUES (?)"))
                .isEqualTo("INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING");
        assertThat(SqlDialect.MARIADB.upsert("t", "k", List.of("k", "v")))
                .isEqualTo("INSERT INTO t (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)");
        assertThat(SqlDialect.POSTGRESQL.upsert("t", "k", List.of("k", "v")))
                .isEqualTo("INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
    }

    @Test
    void isTransient_deadlocksBusyAndSerializationFailures_areRetryable() {
        assertThat(SqlDialect.POSTGRESQL.isTransient(new SQLException("serialization", "40001"))).isTrue();
        assertThat(SqlDialect.POSTGRESQL.isTransient(new SQLException("lock not available", "55P03"))).isTrue();
        assertThat(SqlDialect.MARIADB.isTransient(new SQLException("deadlock", "HY000", 1213))).isTrue();
        assertThat(SqlDialect.SQLITE.isTransient(new SQLException("busy", null, 5 | 256))).isTrue();
        assertThat(SqlDialect.SQLITE.isTransient(new SQLException("wrapped", new SQLException("x", "40P01")))).isTrue();
        assertThat(SqlDialect.POSTGRESQL.isTransient(new SQLException("syntax", "42601"))).isFalse();
        assertThat(SqlDialect.POSTGRESQL.isTransient(new SQLException("busy", null, 5))).isFalse();
    }

    @Property(tries = 200)
    void statements_ofAScriptWithComments_areTheStatementsInOrder(
            @ForAll @Size(min = 1, max = 8) List<@AlphaChars @NotBlank String> words) {
        List<String> expected = new ArrayList<>();
        StringBuilder script = new StringBuilder("-- a header comment; with a semicolon\n\n");
        for (String word : words) {
            String statement = "CREATE TABLE " + word + " (\n    id INT PRIMARY KEY\n)";
            expected.add(statement);
            script.append("-- ").append(word).append(";\n").append(statement).append(";\n\n");
        }
        assertThat(SqlDialect.statements(script.toString())).containsExactlyElementsOf(expected);
    }
}
