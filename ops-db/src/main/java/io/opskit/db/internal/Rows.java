package io.opskit.db.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Runs a read query into JSON-friendly rows (numbers, booleans, strings; other types as text). */
public final class Rows {

    private Rows() {
    }

    /** The rows of {@code sql} with {@code params} bound in order; labels lower-cased. */
    public static List<Map<String, Object>> query(Connection c, int timeoutSeconds, String sql, @Nullable Object... params)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(timeoutSeconds);
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return read(rs);
            }
        }
    }

    /** The remaining rows of a result set. */
    public static List<Map<String, Object>> read(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                Object v = rs.getObject(i);
                if (v != null && !(v instanceof Number) && !(v instanceof Boolean) && !(v instanceof String)) {
                    v = v.toString();
                }
                if (v instanceof java.math.BigDecimal d) {
                    v = d.scale() <= 0 ? (Object) d.longValue() : (Object) d.doubleValue();
                } else if (v instanceof java.math.BigInteger b) {
                    v = b.longValue();
                }
                row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), v);
            }
            out.add(row);
        }
        return out;
    }

    /** A single long value, or {@code fallback} when there is no row or it is null. */
    public static long single(Connection c, int timeoutSeconds, String sql, long fallback) throws SQLException {
        List<Map<String, Object>> rows = query(c, timeoutSeconds, sql);
        if (rows.isEmpty()) {
            return fallback;
        }
        Object v = rows.get(0).values().iterator().next();
        return v instanceof Number n ? n.longValue() : v == null ? fallback : Long.parseLong(v.toString());
    }

    /** A number from a row as double, 0 when absent. */
    public static double number(Map<String, Object> row, String key) {
        Object v = row.get(key);
        return v instanceof Number n ? n.doubleValue() : v == null ? 0 : Double.parseDouble(v.toString());
    }
}
