package io.opskit.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class PgClusterTest {

    @TempDir
    Path empty;

    @Test
    void requireServerBinaries_inADirectoryWithoutThem_failsUnderCiOrSkipsNamingTheBinary() {
        Throwable refused = catchThrowable(() -> PgCluster.requireServerBinaries(empty));

        assertThat(refused).isInstanceOf(Services.inCi() ? AssertionFailedError.class : TestAbortedException.class)
                .hasMessageContaining("the PostgreSQL server binary " + empty.resolve("initdb"))
                .hasMessageContaining("OPSKIT_PG_BINDIR");
    }

    @Test
    void start_withASetting_runsAServerThatHasIt_andCloseDeletesItsDirectory() throws Exception {
        Path dir;
        try (PgCluster pg = PgCluster.start("work_mem=7MB")) {
            dir = pg.directory();
            try (Connection c = pg.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('work_mem'), current_setting('port')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("7MB");
                assertThat(rs.getInt(2)).isEqualTo(pg.port());
            }
        }
        assertThat(Files.exists(dir)).isFalse();
    }
}
