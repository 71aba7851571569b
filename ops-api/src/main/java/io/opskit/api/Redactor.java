package io.opskit.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Masks secrets in text before it reaches a log line, a health detail, an event summary or a
 * metric tag value.
 *
 * <p>Recognised, each replaced by {@link #MASK} while the surrounding punctuation stays:
 * <ul>
 *   <li>{@code key=value}, {@code key: value}, {@code "key": "value"} and URL-encoded
 *       {@code key%3Dvalue} pairs whose key ends with {@code password}, {@code passwd},
 *       {@code passphrase}, {@code secret}, {@code token}, {@code credentials},
 *       {@code api_key}/{@code apikey}, {@code private_key}, {@code access_key} or
 *       {@code secret_key} (so {@code PGPASSWORD=}, {@code client_secret:},
 *       {@code aws_secret_access_key=} and {@code db.password =} are all covered), or is
 *       {@code pwd} or {@code auth} as a whole word, in any letter case;</li>
 *   <li>{@code Authorization:} headers: the scheme word ({@code Bearer}, {@code Basic},
 *       {@code Token}, ...) stays and the credential is masked; a raw credential is masked whole;
 *       {@code Cookie:} and {@code Set-Cookie:} headers keep the cookie names and mask the values;</li>
 *   <li>{@code Bearer} credentials anywhere;</li>
 *   <li>JSON Web Tokens ({@code eyJ...}{@code .}{@code ...}{@code .}{@code ...});</li>
 *   <li>API keys with a well-known prefix: {@code sk-...} (OpenAI, Anthropic), {@code sk_live_...},
 *       {@code rk_live_...} (Stripe), {@code ghp_...}, {@code github_pat_...} (GitHub),
 *       {@code glpat-...} (GitLab), {@code xoxb-...} (Slack), {@code AKIA...} (AWS access key ids),
 *       {@code AIza...} (Google), {@code npm_...};</li>
 *   <li>passwords in URLs: {@code postgres://app:hunter2@db/x} becomes
 *       {@code postgres://app:[REDACTED]@db/x} (the user name stays: it helps diagnosis).</li>
 * </ul>
 *
 * <p>Each rule is one hand-written left-to-right scan, so redaction takes time linear in the
 * length of the text whatever it contains (a regular expression with nested repetition can take
 * quadratic time or overflow the stack on long input). Text without any trigger word is returned
 * as the same instance after one scan that allocates nothing, so calling this on every message is
 * cheap. Redaction is idempotent. {@link #redact(String, int)} cuts long text before it redacts.
 *
 * <p>It lives in {@code ops-api} because every module masks the same things (health messages,
 * alert summaries, request tags) and sibling modules must not depend on each other.
 *
 * <p>Stateless and thread-safe.
 */
public final class Redactor {

    /** What a secret is replaced with. */
    public static final String MASK = "[REDACTED]";

    /** A key ending with one of these names a secret, whatever comes before it. */
    private static final String[] SECRET_KEY_SUFFIXES = {
        "password", "passwd", "passphrase", "secret", "token", "credentials", "credential",
        "apikey", "api_key", "api-key", "privatekey", "private_key", "private-key",
        "access_key", "accesskey", "secret_key", "secretkey",
    };

    /** These name a secret only as a whole word or after a separator ({@code basic_auth}). */
    private static final String[] SECRET_KEY_WORDS = {"pwd", "auth"};

    /** Lower-case words at least one of which any recognised secret contains. */
    private static final String[] TRIGGERS = {
        "bearer", "auth", "eyj", "sk-", "sk_", "rk_", "rk-", "pk_", "pk-", "gh", "xox", "akia", "aiza",
        "glpat", "npm_", "://", "pass", "pwd", "secret", "token", "key", "cred", "cookie",
    };

    private static final String[] AUTH_SCHEMES = {
        "bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey", "hoba", "mutual",
    };

    private Redactor() {
    }

    /**
     * Returns {@code text} with every recognised secret replaced by {@link #MASK}.
     *
     * @param text any text; not null
     * @return the same instance when nothing was found, otherwise a new string
     * @throws NullPointerException when {@code text} is null
     */
    public static String redact(String text) {
        Objects.requireNonNull(text, "text");
        if (!mayContainSecret(text)) {
            return text;
        }
        String result = maskPairs(text);
        result = maskBearer(result);
        result = maskTokens(result);
        return maskUrlPasswords(result);
    }

    /**
     * Cuts {@code text} to at most {@code maxChars} characters, then redacts it. A cut never leaves
     * the start of a secret behind: the partial word at the cut is dropped and {@code "…"} marks it.
     *
     * @param text     any text; not null
     * @param maxChars the longest text to keep, at least 16
     * @return the cut and redacted text
     * @throws IllegalArgumentException when {@code maxChars} is below 16
     */
    public static String redact(String text, int maxChars) {
        Objects.requireNonNull(text, "text");
        if (maxChars < 16) {
            throw new IllegalArgumentException("maxChars must be at least 16: " + maxChars);
        }
        if (text.length() <= maxChars) {
            return redact(text);
        }
        int cut = maxChars - 1;
        while (cut > 0 && !Character.isWhitespace(text.charAt(cut - 1))) {
            cut--;
        }
        if (cut == 0) {
            return MASK.length() + 1 <= maxChars ? MASK + "…" : "…";
        }
        return redact(text.substring(0, cut)) + "…";
    }

    /**
     * Whether {@link #redact(String)} would change {@code text}.
     *
     * @throws NullPointerException when {@code text} is null
     */
    public static boolean containsSecret(String text) {
        return !redact(text).equals(text);
    }

    /** A scan without allocation: true when a trigger word occurs, ignoring case. */
    static boolean mayContainSecret(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = lower(text.charAt(i));
            if (c != 'b' && c != 'a' && c != 'e' && c != 's' && c != 'r' && c != 'p' && c != 'g' && c != 'x'
                    && c != 'n' && c != ':' && c != 't' && c != 'k' && c != 'c') {
                continue;
            }
            for (String trigger : TRIGGERS) {
                if (trigger.charAt(0) == c && text.regionMatches(true, i, trigger, 0, trigger.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- key/value pairs and headers

    private static String maskPairs(String text) {
        int n = text.length();
        @Nullable StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < n) {
            if (!isKeyChar(text.charAt(i)) || (i > 0 && isKeyChar(text.charAt(i - 1)))) {
                i++;
                continue;
            }
            int keyEnd = i;
            while (keyEnd < n && isKeyChar(text.charAt(keyEnd))) {
                keyEnd++;
            }
            KeyKind kind = keyKind(text, i, keyEnd);
            if (kind == KeyKind.NONE) {
                i = keyEnd;
                continue;
            }
            int j = keyEnd;
            boolean quotedKey = j < n && (text.charAt(j) == '"' || text.charAt(j) == '\'') && i > 0
                    && text.charAt(i - 1) == text.charAt(j);
            if (quotedKey) {
                j++;
            }
            j = skipBlanks(text, j);
            boolean urlEncoded = false;
            if (j + 3 <= n && text.regionMatches(true, j, "%3D", 0, 3)) {
                j += 3;
                urlEncoded = true;
            } else if (j < n && (text.charAt(j) == '=' || text.charAt(j) == ':')) {
                j++;
            } else {
                i = keyEnd;
                continue;
            }
            j = skipBlanks(text, j);
            int @Nullable [] span = kind == KeyKind.COOKIE ? null : valueSpan(text, j, kind, urlEncoded);
            if (kind == KeyKind.COOKIE) {
                int lineEnd = lineEnd(text, j);
                String masked = maskCookies(text.substring(j, lineEnd));
                if (!masked.equals(text.substring(j, lineEnd))) {
                    if (out == null) {
                        out = new StringBuilder(n + 16);
                    }
                    out.append(text, copied, j).append(masked);
                    copied = lineEnd;
                }
                i = lineEnd;
                continue;
            }
            if (span == null) {
                i = Math.max(j, keyEnd);
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n + 16);
            }
            out.append(text, copied, span[0]).append(MASK);
            copied = span[1];
            i = Math.max(span[1], keyEnd);
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, n).toString();
    }

    private enum KeyKind { NONE, SECRET, AUTHORIZATION, COOKIE }

    private static KeyKind keyKind(String text, int start, int end) {
        int len = end - start;
        if (len == 13 && text.regionMatches(true, start, "authorization", 0, 13)
                || endsWithWord(text, start, end, "authorization")) {
            return KeyKind.AUTHORIZATION;
        }
        if (len == 6 && text.regionMatches(true, start, "cookie", 0, 6)
                || len == 10 && text.regionMatches(true, start, "set-cookie", 0, 10)) {
            return KeyKind.COOKIE;
        }
        for (String suffix : SECRET_KEY_SUFFIXES) {
            if (len >= suffix.length() && text.regionMatches(true, end - suffix.length(), suffix, 0, suffix.length())) {
                return KeyKind.SECRET;
            }
        }
        for (String word : SECRET_KEY_WORDS) {
            if (len == word.length() && text.regionMatches(true, start, word, 0, word.length())
                    || endsWithWord(text, start, end, word)) {
                return KeyKind.SECRET;
            }
        }
        return KeyKind.NONE;
    }

    /** Whether the key ends with {@code word} right after a separator ({@code basic_auth}). */
    private static boolean endsWithWord(String text, int start, int end, String word) {
        int at = end - word.length();
        if (at <= start) {
            return false;
        }
        char before = text.charAt(at - 1);
        return (before == '_' || before == '-' || before == '.')
                && text.regionMatches(true, at, word, 0, word.length());
    }

    /** The span of the value that starts at {@code j}, or null when there is nothing to mask. */
    private static int @Nullable [] valueSpan(String text, int j, KeyKind kind, boolean urlEncoded) {
        int n = text.length();
        if (j >= n || text.startsWith(MASK, j)) {
            return null;
        }
        char c = text.charAt(j);
        if (c == '"' || c == '\'') {
            int k = j + 1;
            while (k < n && text.charAt(k) != c) {
                k += text.charAt(k) == '\\' ? 2 : 1;
            }
            k = Math.min(k, n);
            if (text.startsWith(MASK, j + 1) && k == j + 1 + MASK.length()) {
                return null;
            }
            return k == j + 1 ? null : new int[] {j + 1, k};
        }
        if (kind == KeyKind.AUTHORIZATION) {
            int wordEnd = j;
            while (wordEnd < n && Character.isLetterOrDigit(text.charAt(wordEnd)) || wordEnd < n
                    && text.charAt(wordEnd) == '-') {
                wordEnd++;
            }
            if (wordEnd < n && text.charAt(wordEnd) == ' ' && isScheme(text, j, wordEnd)) {
                int credential = skipBlanks(text, wordEnd);
                if (credential >= n || text.startsWith(MASK, credential)) {
                    return null;
                }
                int end;
                if (wordEnd - j == 6 && text.regionMatches(true, j, "digest", 0, 6)) {
                    // Digest credentials are a comma-separated list: mask the rest of the line.
                    end = lineEnd(text, credential);
                    while (end > credential && (Character.isWhitespace(text.charAt(end - 1))
                            || isClosingPunctuation(text.charAt(end - 1)))) {
                        end--;
                    }
                } else {
                    end = credential;
                    while (end < n && isCredentialChar(text.charAt(end))) {
                        end++;
                    }
                    while (end < n && text.charAt(end) == '=') {
                        end++;
                    }
                }
                return end == credential ? null : new int[] {credential, end};
            }
        }
        int k = j;
        while (k < n && !isValueEnd(text.charAt(k))
                && !(urlEncoded && text.charAt(k) == '%' && text.regionMatches(true, k, "%26", 0, 3))) {
            k++;
        }
        // "(password=x)": a closing parenthesis the value did not open is punctuation.
        if (k > j && text.charAt(k - 1) == ')' && text.substring(j, k).indexOf('(') < 0) {
            k--;
        }
        return k == j ? null : new int[] {j, k};
    }

    private static boolean isScheme(String text, int start, int end) {
        for (String scheme : AUTH_SCHEMES) {
            if (end - start == scheme.length() && text.regionMatches(true, start, scheme, 0, scheme.length())) {
                return true;
            }
        }
        return false;
    }

    /** Masks each cookie value of a {@code Cookie:}/{@code Set-Cookie:} header line, keeping names. */
    private static String maskCookies(String line) {
        StringBuilder out = new StringBuilder(line.length() + 16);
        int n = line.length();
        int i = 0;
        while (i < n) {
            int eq = i;
            while (eq < n && line.charAt(eq) != '=' && line.charAt(eq) != ';') {
                eq++;
            }
            if (eq >= n || line.charAt(eq) == ';') {
                out.append(line, i, Math.min(eq + 1, n));
                i = eq + 1;
                continue;
            }
            out.append(line, i, eq + 1);
            int end = eq + 1;
            while (end < n && line.charAt(end) != ';') {
                end++;
            }
            int valueEnd = end;
            while (valueEnd > eq + 1 && Character.isWhitespace(line.charAt(valueEnd - 1))) {
                valueEnd--;
            }
            out.append(valueEnd > eq + 1 ? MASK : "").append(line, valueEnd, Math.min(end + 1, n));
            i = end + 1;
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- bearer credentials anywhere

    private static String maskBearer(String text) {
        int n = text.length();
        @Nullable StringBuilder out = null;
        int copied = 0;
        int i = indexOfIgnoreCase(text, "bearer", 0);
        while (i >= 0) {
            int after = i + 6;
            boolean boundary = (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))
                    && after < n && Character.isWhitespace(text.charAt(after));
            int start = skipBlanks(text, after);
            if (boundary && start < n && isCredentialChar(text.charAt(start)) && !text.startsWith(MASK, start)) {
                int end = start;
                while (end < n && isCredentialChar(text.charAt(end))) {
                    end++;
                }
                while (end < n && text.charAt(end) == '=') {
                    end++;
                }
                if (out == null) {
                    out = new StringBuilder(n + 16);
                }
                out.append(text, copied, start).append(MASK);
                copied = end;
                after = end;
            }
            i = indexOfIgnoreCase(text, "bearer", after);
        }
        return out == null ? text : out.append(text, copied, n).toString();
    }

    // ---------------------------------------------------------------- JWTs and prefixed API keys

    private static String maskTokens(String text) {
        int n = text.length();
        @Nullable StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (!isTokenChar(c) || (i > 0 && isTokenChar(text.charAt(i - 1)))) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && isTokenChar(text.charAt(end))) {
                end++;
            }
            int secretEnd = secretTokenEnd(text, i, end);
            if (secretEnd > i) {
                if (out == null) {
                    out = new StringBuilder(n + 16);
                }
                out.append(text, copied, i).append(MASK);
                copied = secretEnd;
            }
            i = end;
        }
        return out == null ? text : out.append(text, copied, n).toString();
    }

    /** Where the secret that starts the token {@code [start, end)} ends, or {@code start} if none. */
    private static int secretTokenEnd(String text, int start, int end) {
        int dotFree = start;
        while (dotFree < end && text.charAt(dotFree) != '.') {
            dotFree++;
        }
        if (text.startsWith("eyJ", start)) {
            int dots = 0;
            int last = end;
            while (last > start && text.charAt(last - 1) == '.') {
                last--;
            }
            for (int k = start; k < last; k++) {
                dots += text.charAt(k) == '.' ? 1 : 0;
            }
            return dots >= 2 && last - start >= 12 ? last : start;
        }
        if (prefixed(text, start, dotFree, 8, "sk-", "sk_", "rk_", "rk-", "pk_", "pk-")
                || prefixed(text, start, dotFree, 16, "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
                || prefixed(text, start, dotFree, 20, "glpat-")
                || prefixed(text, start, dotFree, 30, "AIza", "npm_")
                || prefixed(text, start, dotFree, 8, "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-")) {
            return dotFree;
        }
        if (dotFree - start == 20 && text.startsWith("AKIA", start)) {
            for (int k = start + 4; k < dotFree; k++) {
                char ch = text.charAt(k);
                if (!(ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9')) {
                    return start;
                }
            }
            return dotFree;
        }
        return start;
    }

    private static boolean prefixed(String text, int start, int end, int minRest, String... prefixes) {
        for (String prefix : prefixes) {
            if (end - start >= prefix.length() + minRest && text.startsWith(prefix, start)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- scheme://user:password@host

    private static String maskUrlPasswords(String text) {
        int n = text.length();
        @Nullable StringBuilder out = null;
        int copied = 0;
        int i = text.indexOf("://");
        while (i >= 0) {
            int userStart = i + 3;
            int colon = -1;
            int k = userStart;
            while (k < n) {
                char c = text.charAt(k);
                if (c == '@' || c == '/' || Character.isWhitespace(c)) {
                    break;
                }
                if (c == ':' && colon < 0) {
                    colon = k;
                }
                k++;
            }
            if (k < n && text.charAt(k) == '@' && colon >= 0 && k > colon + 1
                    && !text.regionMatches(colon + 1, MASK, 0, MASK.length())) {
                if (out == null) {
                    out = new StringBuilder(n + 16);
                }
                out.append(text, copied, colon + 1).append(MASK);
                copied = k;
            }
            i = text.indexOf("://", Math.max(k, userStart));
        }
        return out == null ? text : out.append(text, copied, n).toString();
    }

    // ---------------------------------------------------------------- character classes

    private static boolean isKeyChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
                || c == '.';
    }

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
                || c == '.';
    }

    private static boolean isCredentialChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_' || c == '~' || c == '+' || c == '/';
    }

    private static boolean isValueEnd(char c) {
        return Character.isWhitespace(c) || c == '&' || c == ',' || c == ';' || c == '"' || c == '\''
                || c == '}' || c == ']' || c == '<' || c == '>';
    }

    private static boolean isClosingPunctuation(char c) {
        return c == '"' || c == '\'' || c == '}' || c == ']' || c == ',' || c == ';';
    }

    private static int skipBlanks(String text, int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int lineEnd(String text, int i) {
        while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private static int indexOfIgnoreCase(String text, String word, int from) {
        int n = text.length() - word.length();
        char first = word.charAt(0);
        for (int i = Math.max(from, 0); i <= n; i++) {
            if (lower(text.charAt(i)) == first && text.regionMatches(true, i, word, 0, word.length())) {
                return i;
            }
        }
        return -1;
    }
}
