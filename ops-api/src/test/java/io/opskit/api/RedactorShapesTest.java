package io.opskit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The secret shapes the redactor must mask, and its linear-time promise on long hostile input. */
class RedactorShapesTest {

    /** A canary no surrounding text can contain by chance. */
    private static final String CANARY = "Cx9Canary42Zq";

    /** Thirty ways a secret reaches a message; each puts {@link #CANARY} where the secret is. */
    static final List<Function<String, String>> SHAPES = List.of(
            c -> "password=" + c,
            c -> "PASSWORD: " + c,
            c -> "db.password = '" + c + "'",
            c -> "{\"password\":\"" + c + "\"}",
            c -> "{\"client_secret\": \"" + c + "\"}",
            c -> "passwd=" + c,
            c -> "pwd=" + c,
            c -> "secret=" + c,
            c -> "token=" + c,
            c -> "access_token=" + c,
            c -> "refresh-token: " + c,
            c -> "api_key=" + c,
            c -> "apikey=" + c,
            c -> "private_key=" + c,
            c -> "aws_secret_access_key=" + c,
            c -> "passphrase=" + c,
            c -> "PGPASSWORD=" + c,
            c -> "credentials=" + c,
            c -> "auth=" + c,
            c -> "Authorization: " + c,
            c -> "Authorization: Token " + c,
            c -> "Authorization: Basic " + c,
            c -> "Authorization: Bearer " + c,
            c -> "got bearer " + c + " from client",
            c -> "Cookie: session=" + c + "; theme=dark",
            c -> "Set-Cookie: sid=" + c + "; Path=/; HttpOnly",
            c -> "https://host/login?user=bob&password%3D" + c + "%26next%3D1",
            c -> "postgres://app:" + c + "@db.internal:5432/app",
            c -> "sk-proj-" + c,
            c -> "eyJhbGciOiJIUzI1NiJ9.eyJ" + c + ".sig" + c);

    @Test
    void shapes_areThirty() {
        assertThat(SHAPES).hasSize(30);
    }

    @Property(tries = 600)
    void redact_noCanarySurvives_anyShapeInRandomText(@ForAll("surrounding") String before,
                                                      @ForAll @IntRange(min = 0, max = 29) int shape,
                                                      @ForAll("surrounding") String after) {
        String text = before + " " + SHAPES.get(shape).apply(CANARY) + " " + after;
        String redacted = Redactor.redact(text);
        assertThat(redacted).doesNotContain(CANARY).contains(Redactor.MASK);
        assertThat(Redactor.redact(redacted)).isEqualTo(redacted);
    }

    @Provide
    Arbitrary<String> surrounding() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789 .,/()=:\"'{}[]\n")
                .ofMaxLength(60);
    }

    @Test
    void redact_keepsSurroundingPunctuation() {
        assertThat(Redactor.redact("Cookie: session=abc; theme=dark"))
                .isEqualTo("Cookie: session=[REDACTED]; theme=[REDACTED]");
        assertThat(Redactor.redact("(password=hunter2), next"))
                .isEqualTo("(password=[REDACTED]), next");
        assertThat(Redactor.redact("Authorization: Token abc123, retry"))
                .isEqualTo("Authorization: Token [REDACTED], retry");
        assertThat(Redactor.redact("login?user=bob&password%3Dhunter2%26x%3D1"))
                .isEqualTo("login?user=bob&password%3D[REDACTED]%26x%3D1");
        assertThat(Redactor.redact("PGPASSWORD=s3cret pg_dump app")).isEqualTo("PGPASSWORD=[REDACTED] pg_dump app");
    }

    @Test
    void redact_ordinaryWords_untouched() {
        String text = "author=jane oauth flow tokens: 12 max_tokens=500 password reset sent";
        assertThat(Redactor.redact(text)).isEqualTo(text);
    }

    /** Regression: an 8 KB message overflowed the stack and a 40 KB one took 16 s. */
    @Test
    void redact_longHostileInput_finishesInLinearTime() {
        String quoteRun = "{\"password\":\"" + "\\\"".repeat(500_000);
        String keyRun = "a-".repeat(500_000) + "password";
        String pairs = "password=x&".repeat(90_000);
        String schemes = "://".repeat(350_000) + "@";
        String bearers = "bearer ".repeat(150_000);
        String parens = "(password=x) ".repeat(80_000);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (String text : List.of(quoteRun, keyRun, pairs, schemes, bearers, parens)) {
                assertThat(text.length()).isGreaterThan(900_000);
                String redacted = Redactor.redact(text);
                assertThat(redacted).isNotNull();
            }
        });
        assertThat(Redactor.redact(pairs)).doesNotContain("=x&");
    }

    @Test
    void redactWithLimit_cutsBeforeRedacting_andNeverLeavesAPartialSecret() {
        String text = "connecting with password=hunter2 to " + "x".repeat(100) + " sk-proj-abcdefghijklmnop";
        String cut = Redactor.redact(text, 60);
        assertThat(cut.length()).isLessThanOrEqualTo(60);
        assertThat(cut).contains("password=[REDACTED]").doesNotContain("hunter2").doesNotContain("sk-pro")
                .endsWith("…");
        assertThat(Redactor.redact("short", 60)).isEqualTo("short");
    }
}
