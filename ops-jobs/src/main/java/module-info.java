/**
 * Opskit Jobs: one scheduler for every operations task, with each due run happening once across
 * replicas through a lease per job. Start at {@link io.opskit.jobs.OpsJobs#builder()}.
 */
module io.opskit.jobs {
    requires transitive io.opskit.api;
    requires transitive java.sql;
    requires static org.jspecify;
    requires org.slf4j;
    requires static micrometer.core;

    exports io.opskit.jobs;
}
