package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    private static Optional<Duration> parse(Map<String, String> headers) {
        return RetryAfter.parse(name -> headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst(), NOW);
    }

    @Test
    void parse_deltaSeconds() {
        assertThat(parse(Map.of("Retry-After", "20"))).hasValue(Duration.ofSeconds(20));
    }

    @Test
    void parse_httpDate() {
        assertThat(parse(Map.of("Retry-After", "Sat, 21 Nov 2026 10:01:30 GMT"))).hasValue(Duration.ofSeconds(90));
        assertThat(parse(Map.of("Retry-After", "Sat, 21 Nov 2026 09:00:00 GMT"))).hasValue(Duration.ZERO);
    }

    @Test
    void parse_retryAfterMs_winsOverRetryAfter() {
        assertThat(parse(Map.of("retry-after-ms", "250.5", "Retry-After", "1"))).hasValue(Duration.ofNanos(250_500_000));
    }

    @Test
    void parse_garbage_isEmpty_andHugeIsCapped() {
        assertThat(parse(Map.of("Retry-After", "soon"))).isEmpty();
        assertThat(parse(Map.of("Retry-After", "-5"))).isEmpty();
        assertThat(parse(Map.of())).isEmpty();
        assertThat(parse(Map.of("Retry-After", "99999999999"))).hasValue(RetryAfter.MAX);
        assertThat(parse(Map.of("retry-after-ms", "nan", "Retry-After", "3"))).hasValue(Duration.ofSeconds(3));
    }
}
