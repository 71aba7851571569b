package io.opskit.sample;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sample's own business: a {@code notes} table in SQLite and {@code GET /}, which answers with
 * the application's name and how many notes it holds (a real query through the pool).
 */
final class CoreFeature implements SampleFeature {

    @Override
    public void install(SampleHost host) throws Exception {
        try (Connection c = host.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
                    + "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
        }
        String name = host.settings().get("app.name", "opskit-sample");
        host.route("/", exchange -> {
            if (!"/".equals(exchange.getRequestURI().getPath())) {
                HttpResponses.sendError(exchange, 404, "no such resource");
                return;
            }
            if (!SampleHost.isMethod(exchange, "GET") && !SampleHost.isMethod(exchange, "HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                HttpResponses.sendError(exchange, 405, "method not allowed");
                return;
            }
            long notes;
            try (Connection c = host.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
                rs.next();
                notes = rs.getLong(1);
            } catch (java.sql.SQLException e) {
                HttpResponses.sendError(exchange, 503, "database unavailable");
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("status", "running");
            body.put("notes", notes);
            HttpResponses.sendJson(exchange, 200, body);
        });
    }
}
