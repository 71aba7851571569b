package io.opskit.db.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Turns SQL text into a fingerprint that holds no literal: string, number, dollar-quoted and
 * hexadecimal literals and bind markers become {@code ?}, lists of them collapse to one
 * ({@code IN (?, ?, ?)} and multi-row {@code VALUES} become {@code (?)}), comments are dropped,
 * whitespace is collapsed and everything outside double-quoted identifiers is lower-cased. A
 * fingerprint longer than {@value #MAX_LENGTH} characters is cut and ends with a short hash of the
 * whole so that two long statements stay apart. One linear pass; thread-safe (stateless).
 */
public final class SqlFingerprint {

    /** The longest fingerprint kept whole. */
    public static final int MAX_LENGTH = 160;

    private static final Set<String> OPERATIONS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE",
            "REPLACE", "UPSERT", "WITH", "VALUES", "CREATE", "ALTER", "DROP", "TRUNCATE", "BEGIN", "START",
            "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "SHOW", "PRAGMA", "VACUUM", "ANALYZE",
            "REINDEX", "OPTIMIZE", "CALL", "EXPLAIN", "COPY", "GRANT", "REVOKE", "LOCK", "KILL", "DO");

    private SqlFingerprint() {
    }

    /** The fingerprint of {@code sql}; never contains a literal of the input. */
    public static String of(String sql) {
        StringBuilder out = new StringBuilder(Math.min(sql.length(), 256));
        int n = sql.length();
        int i = 0;
        boolean pendingSpace = false;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                pendingSpace = out.length() > 0;
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                pendingSpace = out.length() > 0;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                pendingSpace = out.length() > 0;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            if (c == '\'' || (c == 'e' || c == 'E' || c == 'x' || c == 'X' || c == 'b' || c == 'B')
                    && i + 1 < n && sql.charAt(i + 1) == '\'' && !identifierBefore(out)) {
                i = skipQuoted(sql, c == '\'' ? i : i + 1, '\'');
                placeholder(out);
                continue;
            }
            if (c == '"' || c == '`') {
                int end = skipQuoted(sql, i, c);
                out.append(sql, i, Math.min(end, n));
                i = end;
                continue;
            }
            if (c == '$') {
                int tagEnd = dollarTagEnd(sql, i);
                if (tagEnd > 0) {
                    String tag = sql.substring(i, tagEnd + 1);
                    int close = sql.indexOf(tag, tagEnd + 1);
                    i = close < 0 ? n : close + tag.length();
                    placeholder(out);
                    continue;
                }
                if (i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                    i++;
                    while (i < n && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                    placeholder(out);
                    continue;
                }
            }
            if (c == '?') {
                i++;
                placeholder(out);
                continue;
            }
            if ((Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))
                    && !identifierBefore(out)) {
                i = skipNumber(sql, i);
                placeholder(out);
                continue;
            }
            if (c == '-' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)) && unaryPosition(out)) {
                i = skipNumber(sql, i + 1);
                placeholder(out);
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                out.append(sql.substring(start, i).toLowerCase(Locale.ROOT));
                continue;
            }
            out.append(c);
            i++;
        }
        String text = collapseRows(out.toString());
        if (text.length() <= MAX_LENGTH) {
            return text;
        }
        return text.substring(0, MAX_LENGTH - 10) + "…#" + shortHash(text);
    }

    /** The OpenTelemetry {@code db.operation.name}: the statement's first keyword, or {@code OTHER}. */
    public static String operation(String fingerprint) {
        int end = 0;
        while (end < fingerprint.length() && Character.isLetter(fingerprint.charAt(end))) {
            end++;
        }
        String word = fingerprint.substring(0, end).toUpperCase(Locale.ROOT);
        return OPERATIONS.contains(word) ? word : "OTHER";
    }

    private static boolean identifierBefore(StringBuilder out) {
        if (out.length() == 0) {
            return false;
        }
        char last = out.charAt(out.length() - 1);
        return Character.isLetterOrDigit(last) || last == '_';
    }

    private static boolean unaryPosition(StringBuilder out) {
        for (int k = out.length() - 1; k >= 0; k--) {
            char p = out.charAt(k);
            if (p == ' ') {
                continue;
            }
            return p == '(' || p == ',' || p == '=' || p == '<' || p == '>' || p == '+' || p == '*' || p == '/';
        }
        return true;
    }

    private static int skipQuoted(String sql, int start, char quote) {
        int i = start + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\' && quote == '\'') {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return n;
    }

    private static int dollarTagEnd(String sql, int start) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '$') {
                return i;
            }
            if (!(Character.isLetter(c) || c == '_' || i > start + 1 && Character.isDigit(c))) {
                return -1;
            }
            i++;
        }
        return -1;
    }

    private static int skipNumber(String sql, int start) {
        int i = start;
        int n = sql.length();
        if (i + 1 < n && sql.charAt(i) == '0' && (sql.charAt(i + 1) == 'x' || sql.charAt(i + 1) == 'X')) {
            i += 2;
            while (i < n && Character.digit(sql.charAt(i), 16) >= 0) {
                i++;
            }
            return i;
        }
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isDigit(c) || c == '.' || c == '_') {
                i++;
            } else if ((c == 'e' || c == 'E') && i + 1 < n
                    && (Character.isDigit(sql.charAt(i + 1)) || sql.charAt(i + 1) == '-' || sql.charAt(i + 1) == '+')) {
                i += 2;
            } else {
                break;
            }
        }
        return i;
    }

    /** Appends {@code ?}, folding a list ({@code ?, ?}) into one marker. */
    private static void placeholder(StringBuilder out) {
        int len = out.length();
        if (len >= 2 && out.charAt(len - 1) == ',' && out.charAt(len - 2) == '?') {
            out.setLength(len - 1);
            return;
        }
        if (len >= 3 && out.charAt(len - 1) == ' ' && out.charAt(len - 2) == ',' && out.charAt(len - 3) == '?') {
            out.setLength(len - 2);
            return;
        }
        out.append('?');
    }

    private static String collapseRows(String text) {
        String current = text;
        while (true) {
            String next = current.replace("(?), (?)", "(?)").replace("(?),(?)", "(?)");
            if (next.equals(current)) {
                return next;
            }
            current = next;
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
