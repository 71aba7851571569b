package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The Retry-After and price-table parsers never crash and never return out-of-range values. */
class ParserProperties {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    @Property
    void retryAfter_deltaSeconds_roundTrips(@ForAll @LongRange(min = 0, max = 3_600) long seconds) {
        assertThat(RetryAfter.parseRetryAfter(Long.toString(seconds), NOW)).hasValue(Duration.ofSeconds(seconds));
    }

    @Property
    void retryAfter_httpDate_roundTrips(@ForAll @LongRange(min = -86_400, max = 3_600) long offsetSeconds) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(offsetSeconds).atOffset(ZoneOffset.UTC));
        assertThat(RetryAfter.parseRetryAfter(date, NOW)).hasValue(Duration.ofSeconds(Math.max(0, offsetSeconds)));
    }

    @Property
    void retryAfter_anyText_isEmptyOrWithinRange(@ForAll String value) {
        RetryAfter.parseRetryAfter(value, NOW).ifPresent(d ->
                assertThat(d).isBetween(Duration.ZERO, RetryAfter.MAX));
        RetryAfter.parseMillis(value).ifPresent(d -> assertThat(d).isBetween(Duration.ZERO, RetryAfter.MAX));
    }

    @Property
    void priceTable_anyText_failsOnlyWithIllegalArgument(@ForAll String json) {
        assertThatCode(() -> {
            try {
                PriceTable.fromJson(json);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }).doesNotThrowAnyException();
    }

    @Property
    void priceTable_anyPrice_acceptedExactlyWhenSane(@ForAll long input) {
        String json = "{\"format\":1,\"version\":\"v\",\"asOf\":\"2026-11-01\",\"unit\":\"micro-usd-per-million-tokens\","
                + "\"models\":{\"p/m\":{\"input\":" + input + ",\"cachedInput\":0,\"output\":1}}}";
        boolean sane = input >= 0 && input <= ModelPrice.MAX_SANE_MICROS_PER_MILLION;
        if (sane) {
            assertThat(PriceTable.fromJson(json).price("p", "m")).isPresent();
        } else {
            assertThatCode(() -> PriceTable.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("models.p/m.input");
        }
    }
}
