package io.opskit.metrics.internal;

import io.opskit.metrics.RouteResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The linear matcher {@link RouteTemplates} replaced (every template tried in order, the first match
 * wins), kept as the reference its trie must agree with.
 */
final class LinearRouteTemplates implements RouteResolver {

    private static final int LITERAL = 0;
    private static final int VARIABLE = 1;
    private static final int REST = 2;

    private final List<Optional<String>> templates;
    private final String[][] segments;
    private final int[][] kinds;

    LinearRouteTemplates(List<String> templateList) {
        Objects.requireNonNull(templateList, "templates");
        int n = templateList.size();
        List<Optional<String>> found = new ArrayList<>(n);
        segments = new String[n][];
        kinds = new int[n][];
        for (int i = 0; i < n; i++) {
            String t = Objects.requireNonNull(templateList.get(i), "template");
            if (!t.startsWith("/")) {
                throw new IllegalArgumentException("route template must start with '/': '" + t + "'");
            }
            found.add(Optional.of(t));
            List<String> parts = split(t);
            segments[i] = new String[parts.size()];
            kinds[i] = new int[parts.size()];
            for (int j = 0; j < parts.size(); j++) {
                String s = parts.get(j);
                boolean variable = s.startsWith("{") && s.endsWith("}") && s.length() > 2;
                if (s.equals("**") || (variable && s.endsWith("...}"))) {
                    if (j != parts.size() - 1) {
                        throw new IllegalArgumentException(
                                "route template may match the rest of the path only in its last segment: '" + t + "'");
                    }
                    kinds[i][j] = REST;
                } else if (variable) {
                    kinds[i][j] = VARIABLE;
                } else if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0 || s.indexOf('*') >= 0) {
                    throw new IllegalArgumentException("route template segment must be literal, {name} or {name...}: '"
                            + t + "'");
                } else {
                    kinds[i][j] = LITERAL;
                }
                segments[i][j] = s;
            }
        }
        templates = List.copyOf(found);
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts;
    }

    @Override
    public Optional<String> resolve(String method, String path) {
        for (int i = 0; i < segments.length; i++) {
            if (matches(segments[i], kinds[i], path)) {
                return templates.get(i);
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String[] segs, int[] kinds, String path) {
        int pos = 0;
        int len = path.length();
        for (int j = 0; j < segs.length; j++) {
            while (pos < len && path.charAt(pos) == '/') {
                pos++;
            }
            if (kinds[j] == REST) {
                return pos < len;
            }
            if (pos >= len) {
                return false;
            }
            int end = path.indexOf('/', pos);
            if (end < 0) {
                end = len;
            }
            if (kinds[j] == LITERAL) {
                String s = segs[j];
                if (end - pos != s.length() || !path.regionMatches(pos, s, 0, s.length())) {
                    return false;
                }
            }
            pos = end;
        }
        while (pos < len && path.charAt(pos) == '/') {
            pos++;
        }
        return pos == len;
    }
}
