package io.opskit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void redact_bearerHeader_keepsSchemeMasksToken() {
        assertThat(Redactor.redact("Authorization: Bearer abc123.def-456_x"))
                .isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(Redactor.redact("got bearer s3cret-admin from client"))
                .isEqualTo("got bearer [REDACTED] from client");
    }

    @Test
    void redact_basicAuthorization_masksCredentialButNotTheWordBasic() {
        assertThat(Redactor.redact("Authorization: Basic dXNlcjpwYXNz"))
                .isEqualTo("Authorization: Basic [REDACTED]");
        assertThat(Redactor.redact("basic checks passed")).isEqualTo("basic checks passed");
    }

    @Test
    void redact_jwt_masksWholeToken() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assertThat(Redactor.redact("session " + jwt + " expired")).isEqualTo("session [REDACTED] expired");
    }

    @Test
    void redact_apiKeys_masksKnownPrefixes() {
        assertThat(Redactor.redact("key sk-proj-AbC123xyz789QwErTy used"))
                .isEqualTo("key [REDACTED] used");
        assertThat(Redactor.redact("anthropic sk-ant-api03-abcdefgh1234")).isEqualTo("anthropic [REDACTED]");
        assertThat(Redactor.redact("stripe sk_live_51HxYzAbCdEf")).isEqualTo("stripe [REDACTED]");
        assertThat(Redactor.redact("gh ghp_abcdefghijklmnopqrstuvwx")).isEqualTo("gh [REDACTED]");
        assertThat(Redactor.redact("aws AKIAIOSFODNN7EXAMPLE")).isEqualTo("aws [REDACTED]");
        assertThat(Redactor.redact("slack xoxb-1234-5678-abcdefgh")).isEqualTo("slack [REDACTED]");
    }

    @Test
    void redact_urlPassword_keepsUserAndHost() {
        assertThat(Redactor.redact("cannot reach postgres://app:hunter2@db.internal:5432/app"))
                .isEqualTo("cannot reach postgres://app:[REDACTED]@db.internal:5432/app");
        assertThat(Redactor.redact("https://example.com:8443/path@v1")).isEqualTo("https://example.com:8443/path@v1");
    }

    @Test
    void redact_pairs_masksValueKeepsKey() {
        assertThat(Redactor.redact("jdbc:mysql://db/app?user=app&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:mysql://db/app?user=app&password=[REDACTED]&ssl=true");
        assertThat(Redactor.redact("client_secret: abc, db.password = 'x y z'"))
                .isEqualTo("client_secret: [REDACTED], db.password = '[REDACTED]'");
        assertThat(Redactor.redact("{\"token\": \"tok\\\"en\", \"user\":\"bob\"}"))
                .isEqualTo("{\"token\": \"[REDACTED]\", \"user\":\"bob\"}");
        assertThat(Redactor.redact("SECRET=shh")).isEqualTo("SECRET=[REDACTED]");
    }

    @Test
    void redact_ordinaryText_returnsSameInstance() {
        String text = "GET /api/items/42 answered 200 in 12 ms";
        assertThat(Redactor.redact(text)).isSameAs(text);
        String lookalikes = "max_tokens=500 prompt tokens: 12 monkey=3 task-management-list";
        assertThat(Redactor.redact(lookalikes)).isEqualTo(lookalikes);
        assertThat(Redactor.containsSecret(lookalikes)).isFalse();
        assertThat(Redactor.containsSecret("password=x")).isTrue();
    }

    @Test
    void redact_null_throwsNamingArgument() {
        assertThatThrownBy(() -> Redactor.redact(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
    }

    @Property
    void redact_embeddedSecret_neverSurvives(@ForAll("surrounding") String before,
                                             @ForAll("secrets") String[] secret,
                                             @ForAll("surrounding") String after) {
        String text = before + " " + secret[0] + " " + after;
        String redacted = Redactor.redact(text);
        assertThat(redacted).doesNotContain(secret[1]).contains(Redactor.MASK);
    }

    @Property
    void redact_isIdempotent(@ForAll("surrounding") String before, @ForAll("secrets") String[] secret) {
        String once = Redactor.redact(before + " " + secret[0]);
        assertThat(Redactor.redact(once)).isEqualTo(once);
    }

    @Property
    void redact_textWithoutTriggers_unchanged(@ForAll @StringLength(max = 200) @AlphaChars String letters) {
        // Only digits, spaces and letters that start no trigger word: nothing can look like a secret.
        String text = letters.replaceAll("(?i)[bsrpgxatkec]", "o");
        assertThat(Redactor.redact(text)).isSameAs(text);
    }

    @Provide
    Arbitrary<String> surrounding() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789 .,/()").ofMaxLength(40);
    }

    /**
     * Pairs of (text that carries a secret, the secret itself). Secrets start with an upper-case
     * letter and a digit so that the lower-case surroundings can never contain them by chance.
     */
    @Provide
    Arbitrary<String[]> secrets() {
        Arbitrary<String> value = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').withChars("!#$%()*+-./_~").ofMinLength(10).ofMaxLength(30)
                .map(v -> "Z9" + v);
        Arbitrary<String> token = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').ofMinLength(8).ofMaxLength(40).map(t -> "Q7" + t);
        Arbitrary<String> key = Arbitraries.of("password", "PASSWORD", "db.password", "secret", "token",
                "api_key", "client_secret", "access-token");
        return Arbitraries.oneOf(
                token.map(t -> new String[] {"Bearer " + t, t}),
                token.map(t -> new String[] {"sk-" + t, t}),
                token.map(t -> new String[] {"sk-proj-" + t, t}),
                Combinators.combine(token, token, token)
                        .as((a, b, c) -> new String[] {"eyJ" + a + "." + b + "." + c, "eyJ" + a + "." + b}),
                Combinators.combine(token, value).as((user, pass) -> {
                    String p = pass.replace("/", "");
                    return new String[] {"postgres://" + user + ":" + p + "@db:5432/app", ":" + p + "@"};
                }),
                Combinators.combine(key, value).as((k, v) -> new String[] {k + "=" + v, "=" + v}));
    }
}
