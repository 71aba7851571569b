package io.opskit.db.internal;

/** The PostgreSQL catalog queries shared by diagnostics, health checks and maintenance. */
public final class PgQueries {

    private PgQueries() {
    }

    static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'";

    /** Largest tables with table, index and total bytes. Parameter: limit. */
    public static final String LARGEST_TABLES = "SELECT n.nspname AS schema, c.relname AS table_name,"
            + " pg_total_relation_size(c.oid) AS total_bytes, pg_relation_size(c.oid) AS table_bytes,"
            + " pg_indexes_size(c.oid) AS index_bytes, c.reltuples::bigint AS estimated_rows"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'm', 'p') AND " + USER_SCHEMAS
            + " ORDER BY pg_total_relation_size(c.oid) DESC LIMIT ?";

    /** Largest indexes. Parameter: limit. */
    public static final String LARGEST_INDEXES = "SELECT n.nspname AS schema, t.relname AS table_name, c.relname AS index_name,"
            + " pg_relation_size(c.oid) AS index_bytes"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid"
            + " JOIN pg_class t ON t.oid = i.indrelid"
            + " WHERE c.relkind = 'i' AND " + USER_SCHEMAS + " ORDER BY pg_relation_size(c.oid) DESC LIMIT ?";

    /** Dead tuples and a bloat estimate per table, most dead tuples first. Parameter: limit. */
    public static final String TABLE_BLOAT = "SELECT schemaname AS schema, relname AS table_name, n_live_tup, n_dead_tup,"
            + " CASE WHEN n_live_tup + n_dead_tup > 0 THEN n_dead_tup::float8 / (n_live_tup + n_dead_tup) ELSE 0 END AS dead_ratio,"
            + " pg_relation_size(relid) AS table_bytes,"
            + " (CASE WHEN n_live_tup + n_dead_tup > 0 THEN pg_relation_size(relid) * n_dead_tup::float8 / (n_live_tup + n_dead_tup) ELSE 0 END)::bigint AS estimated_bloat_bytes,"
            + " last_vacuum::text AS last_vacuum, last_autovacuum::text AS last_autovacuum,"
            + " last_analyze::text AS last_analyze, last_autoanalyze::text AS last_autoanalyze"
            + " FROM pg_stat_user_tables ORDER BY n_dead_tup DESC, relname LIMIT ?";

    /** How the table bloat is estimated, for reports. */
    public static final String TABLE_BLOAT_METHOD = "pg_stat_user_tables dead tuples; estimated bloat = table size"
            + " x n_dead_tup / (n_live_tup + n_dead_tup) (statistics estimate, not pgstattuple)";

    /**
     * B-tree indexes with a size estimate from statistics: expected leaf pages = reltuples x
     * (average key width from pg_stats + 16 bytes of tuple header and line pointer, 8-aligned)
     * at 90 % fill; bloat = actual - expected (never negative).
     */
    public static final String INDEX_BLOAT = "SELECT schema, table_name, index_name, index_bytes, estimated_rows,"
            + " GREATEST(index_bytes - expected_bytes, 0) AS estimated_bloat_bytes,"
            + " CASE WHEN index_bytes > 0 THEN GREATEST(index_bytes - expected_bytes, 0)::float8 / index_bytes ELSE 0 END AS bloat_ratio"
            + " FROM (SELECT n.nspname AS schema, t.relname AS table_name, c.relname AS index_name,"
            + " pg_relation_size(c.oid) AS index_bytes, GREATEST(t.reltuples, 0)::bigint AS estimated_rows,"
            + " ((ceil(GREATEST(t.reltuples, 0) * (((COALESCE((SELECT sum(s.avg_width) FROM pg_attribute a"
            + " JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname AND s.attname = a.attname"
            + " WHERE a.attrelid = t.oid AND a.attnum = ANY (i.indkey)), 8) + 16 + 7) / 8)::int * 8)"
            + " / (8168 * 0.9)) + 1) * 8192)::bigint AS expected_bytes"
            + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam"
            + " WHERE am.amname = 'btree' AND " + USER_SCHEMAS + ") x ORDER BY estimated_bloat_bytes DESC LIMIT ?";

    /** How index bloat is estimated, for reports. */
    public static final String INDEX_BLOAT_METHOD = "statistics estimate for B-tree indexes: expected size = reltuples"
            + " x (average key width from pg_stats + 16 bytes) at 90 % leaf fill; bloat = actual - expected";

    /** Non-unique indexes never scanned since statistics began. Parameter: limit. */
    public static final String UNUSED_INDEXES = "SELECT s.schemaname AS schema, s.relname AS table_name,"
            + " s.indexrelname AS index_name, s.indexrelid AS index_oid, s.idx_scan,"
            + " pg_relation_size(s.indexrelid) AS index_bytes"
            + " FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid"
            + " WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary"
            + " ORDER BY pg_relation_size(s.indexrelid) DESC LIMIT ?";

    /** When the statistics began: the database's last reset, or the server start. */
    public static final String STATS_SINCE = "SELECT EXTRACT(EPOCH FROM COALESCE((SELECT stats_reset FROM pg_stat_database"
            + " WHERE datname = current_database()), pg_postmaster_start_time()))::float8";

    /** Client connections by state, with the server's limit. */
    public static final String CONNECTIONS = "SELECT COALESCE(state, 'unknown') AS state, count(*) AS connections"
            + " FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC";

    /** Active statements running longer than the parameter (seconds), longest first. Parameters: seconds, limit. */
    public static final String LONG_RUNNING = "SELECT pid, usename AS user_name, application_name, datname AS database,"
            + " EXTRACT(EPOCH FROM now() - query_start)::float8 AS running_seconds, wait_event_type, query"
            + " FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend'"
            + " AND pid <> pg_backend_pid() AND now() - query_start > make_interval(secs => ?)"
            + " ORDER BY query_start LIMIT ?";

    /** Sessions idle in a transaction longer than the parameter (seconds). Parameters: seconds, limit. */
    public static final String IDLE_IN_TRANSACTION = "SELECT pid, usename AS user_name, application_name, datname AS database,"
            + " state, EXTRACT(EPOCH FROM now() - state_change)::float8 AS idle_seconds,"
            + " EXTRACT(EPOCH FROM now() - xact_start)::float8 AS transaction_seconds"
            + " FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            + " AND now() - state_change > make_interval(secs => ?) ORDER BY state_change LIMIT ?";

    /** Standbys of a primary with their lag. */
    public static final String REPLICATION = "SELECT application_name, client_addr::text AS client_addr, state, sync_state,"
            + " EXTRACT(EPOCH FROM replay_lag)::float8 AS replay_lag_seconds,"
            + " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS replay_lag_bytes FROM pg_stat_replication";
}
