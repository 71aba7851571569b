/**
 * The job-lock SPI: how a scheduler (ops-jobs) makes each due run of a job happen on one replica
 * only. A {@link io.opskit.api.jobs.JobLock} hands out a lease per job, acquired by one conditional
 * write keyed by the run's due time, renewed while the run lasts, released at its end and expiring
 * by itself when its holder dies. A {@link io.opskit.api.jobs.JobHistory} keeps the last runs of
 * each job where every replica can read them. ops-jobs ships an in-process lock and a JDBC one
 * (PostgreSQL, MariaDB/MySQL, SQLite); an extension jar implements these interfaces against ops-api
 * alone.
 */
@NullMarked
package io.opskit.api.jobs;

import org.jspecify.annotations.NullMarked;
