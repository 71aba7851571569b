package io.opskit.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestDatabaseTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void create_givesAnEmptyDatabaseOfItsOwn_andCloseDropsItAfterItsResources(TestDatabase.Kind kind)
            throws Exception {
        AtomicInteger closedResources = new AtomicInteger();
        TestDatabase db = TestDatabase.create(kind);
        String name = db.name();
        String url = db.url();
        try (TestDatabase other = TestDatabase.create(kind)) {
            assertThat(other.name()).isNotEqualTo(name);
        }
        db.exec("CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        try (Connection c = db.concurrentDataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        db.closeWith(closedResources::incrementAndGet);

        db.close();
        db.close();

        assertThat(closedResources).hasValue(1);
        assertThat(exists(kind, name, url)).isFalse();
    }

    private static boolean exists(TestDatabase.Kind kind, String name, String url) throws SQLException {
        return switch (kind) {
            case SQLITE -> Files.exists(Path.of(url.substring("jdbc:sqlite:".length())));
            case POSTGRESQL, MARIADB -> {
                try (TestDatabase probe = TestDatabase.create(kind); Connection c = probe.admin();
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(kind == TestDatabase.Kind.POSTGRESQL
                             ? "SELECT 1 FROM pg_database WHERE datname = '" + name + "'"
                             : "SELECT 1 FROM information_schema.schemata WHERE schema_name = '" + name + "'")) {
                    yield rs.next();
                }
            }
        };
    }
}
