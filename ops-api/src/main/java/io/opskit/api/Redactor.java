package io.opskit.api;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it reaches a log line, a health detail, an event summary or a
 * metric tag value.
 *
 * <p>Recognised, each replaced by {@link #MASK}:
 * <ul>
 *   <li>bearer credentials anywhere ({@code Bearer abc.def} becomes {@code Bearer [REDACTED]}) and
 *       basic credentials after {@code Authorization:};</li>
 *   <li>JSON Web Tokens ({@code eyJ...}{@code .}{@code ...}{@code .}{@code ...});</li>
 *   <li>API keys with a well-known prefix: {@code sk-...} (OpenAI, Anthropic), {@code sk_live_...},
 *       {@code rk_live_...} (Stripe), {@code ghp_...}, {@code github_pat_...} (GitHub),
 *       {@code xoxb-...} (Slack), {@code AKIA...} (AWS access key ids), {@code AIza...} (Google);</li>
 *   <li>passwords in URLs: {@code postgres://app:hunter2@db/x} becomes
 *       {@code postgres://app:[REDACTED]@db/x} (the user name stays: it helps diagnosis);</li>
 *   <li>{@code key=value} and {@code key: value} pairs (also JSON {@code "key":"value"}) whose key is
 *       {@code password}, {@code passwd}, {@code pwd}, {@code secret}, {@code token},
 *       {@code api_key}/{@code apikey}, {@code access_token}, {@code refresh_token},
 *       {@code client_secret} or {@code private_key}, in any letter case.</li>
 * </ul>
 *
 * <p>Text without any of the trigger words is returned as the same instance after one scan that
 * allocates nothing, so calling this on every message is cheap. Redaction is idempotent.
 *
 * <p>It lives in {@code ops-api} because every module masks the same things (health messages,
 * alert summaries, request tags) and sibling modules must not depend on each other.
 *
 * <p>Stateless and thread-safe.
 */
public final class Redactor {

    /** What a secret is replaced with. */
    public static final String MASK = "[REDACTED]";

    private static final String KEYS =
            "password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token"
                    + "|api[_-]?key|private[_-]?key";

    /** Order matters: whole-token shapes before pairs, so a pair's value is masked only once. */
    private static final List<Rule> RULES = List.of(
            // Authorization schemes: keep the scheme word, mask the credential.
            new Rule(Pattern.compile("(?i)\\b(bearer)(\\s+)[A-Za-z0-9\\-._~+/]+=*"), "$1$2" + MASK),
            // "Basic" is an ordinary word: mask it only as an Authorization scheme.
            new Rule(Pattern.compile("(?i)(authorization\"?\\s*[:=]\\s*\"?basic\\s+)[A-Za-z0-9+/]+=*"), "$1" + MASK),
            new Rule(Pattern.compile("\\beyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*"), MASK),
            new Rule(Pattern.compile("\\b(?:sk|rk|pk)[-_](?:live[-_]|test[-_]|proj[-_]|ant[-_])?[A-Za-z0-9_-]{8,}"),
                    MASK),
            new Rule(Pattern.compile("\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{16,}|\\bgithub_pat_[A-Za-z0-9_]{16,}"),
                    MASK),
            new Rule(Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{8,}"), MASK),
            new Rule(Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"), MASK),
            new Rule(Pattern.compile("\\bAIza[0-9A-Za-z_-]{30,}"), MASK),
            // scheme://user:password@host: keep scheme and user.
            new Rule(Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*:)[^@\\s/]+@"), "$1" + MASK + "@"),
            // "password": "value" (JSON) first, then password=value / password: value.
            new Rule(Pattern.compile("(?i)(\"(?:" + KEYS + ")\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\""),
                    "$1" + MASK + "\""),
            new Rule(Pattern.compile("(?i)\\b((?:[A-Za-z0-9]+[_.-])*(?:" + KEYS + "))(\\s*[=:]\\s*)"
                    + "(?:\\[REDACTED\\]|\"[^\"]*\"|'[^']*'|[^\\s&,;\"'}\\]]+)"), "$1$2" + MASK));

    /**
     * Lower-case words at least one of which any secret this class recognises contains, checked
     * case-insensitively before any regular expression runs.
     */
    private static final String[] TRIGGERS = {
        "bearer", "authorization", "eyj", "sk-", "sk_", "rk_", "rk-", "pk_", "gh", "xox", "akia", "aiza", "://",
        "pass", "pwd", "secret", "token", "key",
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
        String result = text;
        for (Rule rule : RULES) {
            Matcher m = rule.pattern.matcher(result);
            if (m.find()) {
                result = m.replaceAll(rule.replacement);
            }
        }
        return result;
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
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != 'b' && c != 'e' && c != 's' && c != 'r' && c != 'p' && c != 'g' && c != 'x'
                    && c != 'a' && c != ':' && c != 't' && c != 'k') {
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

    private record Rule(Pattern pattern, String replacement) {
    }
}
