package io.opskit.ratelimit.budget;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.testsupport.TestDatabase;
import java.util.concurrent.atomic.AtomicInteger;

/** HikariCP pools on a {@link TestDatabase}, each one "instance" of the host, closed with it. */
final class TestPools {

    private static final AtomicInteger COUNT = new AtomicInteger();

    private TestPools() {
    }

    /** A new, independent pool of {@code size} connections, closed before {@code db} is dropped. */
    static HikariDataSource newPool(TestDatabase db, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url());
        config.setMaximumPoolSize(size);
        config.setPoolName(db.name() + "-" + COUNT.incrementAndGet());
        config.setConnectionTimeout(10_000);
        if (db.kind() == TestDatabase.Kind.SQLITE) {
            config.addDataSourceProperty("busy_timeout", "30000");
        }
        return db.closeWith(new HikariDataSource(config));
    }
}
