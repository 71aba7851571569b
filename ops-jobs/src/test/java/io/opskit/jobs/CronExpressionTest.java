package io.opskit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CronExpressionTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static ZonedDateTime at(String offsetDateTime, ZoneId zone) {
        return ZonedDateTime.parse(offsetDateTime).withZoneSameInstant(zone);
    }

    private static String next(String expression, String from, ZoneId zone) {
        return CronExpression.parse(expression).next(at(from, zone)).toOffsetDateTime().toString();
    }

    @Test
    void next_dailyAtTwo_isTwoNextDay() {
        assertThat(next("0 2 * * *", "2026-11-20T10:00+01:00", BERLIN)).isEqualTo("2026-11-21T02:00+01:00");
    }

    @Test
    void next_exactlyAtRunTime_isStrictlyAfter() {
        assertThat(next("0 2 * * *", "2026-11-21T02:00+01:00", BERLIN)).isEqualTo("2026-11-22T02:00+01:00");
        assertThat(next("0 2 * * *", "2026-11-21T01:59:59.999+01:00", BERLIN)).isEqualTo("2026-11-21T02:00+01:00");
    }

    @Test
    void next_springForwardGap_runsAtFirstInstantAfterGap() {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
        assertThat(next("30 2 * * *", "2026-03-29T01:00+01:00", BERLIN)).isEqualTo("2026-03-29T03:00+02:00");
        assertThat(next("30 2 * * *", "2026-03-29T03:00+02:00", BERLIN)).isEqualTo("2026-03-30T02:30+02:00");
    }

    @Test
    void next_severalTimesInsideGap_runOnceAfterGap() {
        assertThat(next("*/15 2 * * *", "2026-03-29T01:59+01:00", BERLIN)).isEqualTo("2026-03-29T03:00+02:00");
        assertThat(next("*/15 2 * * *", "2026-03-29T03:00+02:00", BERLIN)).isEqualTo("2026-03-30T02:00+02:00");
    }

    @Test
    void next_fallBackOverlap_runsOnceAtFirstOccurrence() {
        // New York 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
        assertThat(next("30 1 * * *", "2026-11-01T00:00-04:00", NEW_YORK)).isEqualTo("2026-11-01T01:30-04:00");
        assertThat(next("30 1 * * *", "2026-11-01T01:30-04:00", NEW_YORK)).isEqualTo("2026-11-02T01:30-05:00");
        assertThat(next("30 1 * * *", "2026-11-01T01:10-05:00", NEW_YORK)).isEqualTo("2026-11-02T01:30-05:00");
    }

    @Test
    void next_insideRepeatedHour_continuesAfterIt() {
        assertThat(next("*/15 * * * *", "2026-11-01T01:10-05:00", NEW_YORK)).isEqualTo("2026-11-01T02:00-05:00");
        assertThat(next("0 * * * *", "2026-11-01T01:00-04:00", NEW_YORK)).isEqualTo("2026-11-01T02:00-05:00");
    }

    @ParameterizedTest(name = "{0} after {1} is {2}")
    @CsvSource(delimiter = '|', value = {
            "0 9-17/2 * * MON-FRI | 2026-11-21T10:00Z | 2026-11-23T09:00Z",
            "0 9-17/2 * * MON-FRI | 2026-11-23T11:00Z | 2026-11-23T13:00Z",
            "5/15 * * * *         | 2026-11-21T10:21Z | 2026-11-21T10:35Z",
            "0,30 * * * *         | 2026-11-21T10:00Z | 2026-11-21T10:30Z",
            "0 0 1 jan *          | 2026-11-21T10:00Z | 2027-01-01T00:00Z",
            "0 0 * * 7            | 2026-11-21T10:00Z | 2026-11-22T00:00Z",
            "0 0 * * 0            | 2026-11-21T10:00Z | 2026-11-22T00:00Z",
            "0 0 13 * FRI         | 2026-11-01T00:00Z | 2026-11-06T00:00Z",
            "0 0 13 * FRI         | 2026-11-07T00:00Z | 2026-11-13T00:00Z",
            "0 0 */10 * MON       | 2026-11-01T00:00Z | 2026-12-21T00:00Z",
            "0 0 29 2 *           | 2026-11-21T10:00Z | 2028-02-29T00:00Z",
            "@daily               | 2026-11-21T10:00Z | 2026-11-22T00:00Z",
            "@hourly              | 2026-11-21T10:00Z | 2026-11-21T11:00Z",
            "@weekly              | 2026-11-21T10:00Z | 2026-11-22T00:00Z",
            "@monthly             | 2026-11-21T10:00Z | 2026-12-01T00:00Z",
            "@yearly              | 2026-11-21T10:00Z | 2027-01-01T00:00Z",
            "59 23 31 DEC ?       | 2026-11-21T10:00Z | 2026-12-31T23:59Z",
            "0 0 */7 2 1          | 2000-01-01T00:00Z | 2010-02-01T00:00Z",
            "0 0 29 2 */7         | 2033-01-01T00:00Z | 2060-02-29T00:00Z",
    })
    void next_syntaxForms_matchCrontab(String expression, String from, String expected) {
        assertThat(next(expression, from, ZoneId.of("UTC"))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "60 2 * * *     | cron minute field '60' is invalid in \"60 2 * * *\": 60 is out of range 0-59",
            "0 24 * * *     | cron hour field '24' is invalid in \"0 24 * * *\": 24 is out of range 0-23",
            "0 2 0 * *      | cron day-of-month field '0' is invalid in \"0 2 0 * *\": 0 is out of range 1-31",
            "0 2 * 13 *     | cron month field '13' is invalid in \"0 2 * 13 *\": 13 is out of range 1-12",
            "0 2 * * MOX    | cron day-of-week field 'MOX' is invalid in \"0 2 * * MOX\": 'MOX' is not a number or a name (SUN-SAT)",
            "*/0 2 * * *    | cron minute field '*/0' is invalid in \"*/0 2 * * *\": step must be at least 1: */0",
            "0 5-1 * * *    | cron hour field '5-1' is invalid in \"0 5-1 * * *\": range 5-1 runs backwards; write it low-high",
            "1,,2 * * * *   | cron minute field '1,,2' is invalid in \"1,,2 * * * *\": empty list element",
            "0 2 * * *  *   | cron expression must have 5 fields (minute hour day-of-month month day-of-week), found 6 (seconds are not supported): \"0 2 * * *  *\"",
            "0 2 * *        | cron expression must have 5 fields (minute hour day-of-month month day-of-week), found 4: \"0 2 * *\"",
            "0 0 30 FEB *   | cron day-of-month field '30' never occurs in the months of \"0 0 30 FEB *\": the expression would never run",
            "@reboot        | cron macro must be one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly: \"@reboot\"",
    })
    void parse_badExpression_throwsNamingFieldAndValue(String expression, String message) {
        assertThatThrownBy(() -> CronExpression.parse(expression))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void parse_equivalentSpellings_areEqual() {
        assertThat(CronExpression.parse("0 0 * * 7")).isEqualTo(CronExpression.parse("0 0 * * sun"));
        assertThat(CronExpression.parse("@daily")).isEqualTo(CronExpression.parse("0 0 * * *"));
        assertThat(CronExpression.parse("@daily").toString()).isEqualTo("@daily");
    }
}
