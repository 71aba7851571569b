package io.opskit.backup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    @Test
    void build_noRule_throwsNamingRules() {
        assertThatThrownBy(() -> RetentionPolicy.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("retention policy must set at least one keep rule")
                .hasMessageEndingWith(": none set");
    }

    @Test
    void build_calendarRuleWithoutZone_throwsNamingRuleAndValue() {
        assertThatThrownBy(() -> RetentionPolicy.builder().keepDaily(7).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("zone must be set when a calendar rule is used: keepDaily=7");
    }

    @Test
    void setters_badValues_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> RetentionPolicy.builder().keepLast(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keepLast must not be negative: -1");
        assertThatThrownBy(() -> RetentionPolicy.builder().keepWeekly(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keepWeekly must not be negative: -3");
        assertThatThrownBy(() -> RetentionPolicy.builder().keepWithin(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keepWithin must be positive: PT0S");
        assertThatThrownBy(() -> RetentionPolicy.builder().maxDeleteFraction(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxDeleteFraction must be in (0, 1]: 1.5");
        assertThatThrownBy(() -> RetentionPolicy.builder().maxDeleteFraction(0.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxDeleteFraction must be in (0, 1]: 0.0");
        assertThatThrownBy(() -> RetentionPolicy.builder().maxDeleteFraction(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxDeleteFraction must be in (0, 1]: NaN");
    }

    @Test
    void build_keepLastOnly_defaultsToUtcAndHalfDeleteLimit() {
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(3).build();

        assertThat(policy.zone()).isEqualTo(ZoneOffset.UTC);
        assertThat(policy.maxDeleteFraction()).isEqualTo(0.5);
        assertThat(policy.keepWithin()).isEmpty();
        assertThat(policy.hasCalendarRule()).isFalse();
    }

    @Test
    void parse_cliOptions_buildsPolicy() {
        RetentionPolicy policy = RetentionPolicy.parse(
                "--keep-last 3 --keep-within 30d --keep-daily=7 --keep-weekly 4 --keep-monthly 12 --keep-yearly 2"
                        + " --keep-hourly 24 --zone Europe/Berlin --max-delete 80%");

        assertThat(policy).isEqualTo(RetentionPolicy.builder().keepLast(3).keepWithin(Duration.ofDays(30)).keepDaily(7)
                .keepWeekly(4).keepMonthly(12).keepYearly(2).keepHourly(24).zone(ZoneId.of("Europe/Berlin"))
                .maxDeleteFraction(0.8).build());
    }

    @Test
    void parse_argumentList_acceptsIsoDuration() {
        RetentionPolicy policy = RetentionPolicy.parse(List.of("--keep-within", "PT26H", "--max-delete", "0.25"));

        assertThat(policy.keepWithin()).contains(Duration.ofHours(26));
        assertThat(policy.maxDeleteFraction()).isEqualTo(0.25);
    }

    @Test
    void parse_badOptions_throwNamingOptionAndValue() {
        assertThatThrownBy(() -> RetentionPolicy.parse("--keep-daily seven --zone UTC"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--keep-daily must be a whole number: 'seven'");
        assertThatThrownBy(() -> RetentionPolicy.parse("--keep-within 30x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--keep-within must be a duration")
                .hasMessageEndingWith(": '30x'");
        assertThatThrownBy(() -> RetentionPolicy.parse("--keep-daily 7 --zone Mars/Olympus"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith(": 'Mars/Olympus'");
        assertThatThrownBy(() -> RetentionPolicy.parse("--keep-forever 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown retention option: '--keep-forever'");
        assertThatThrownBy(() -> RetentionPolicy.parse("--keep-last"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--keep-last needs a value");
        assertThatThrownBy(() -> RetentionPolicy.parse("--keep-last 2 --max-delete lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--max-delete must be a fraction such as 0.5 or 50%: 'lots'");
    }

    @Test
    void parseDuration_compactForms_parse() {
        assertThat(RetentionPolicy.parseDuration("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(RetentionPolicy.parseDuration("1d12h")).isEqualTo(Duration.ofHours(36));
        assertThat(RetentionPolicy.parseDuration("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(RetentionPolicy.parseDuration("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(RetentionPolicy.parseDuration("P30D")).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> RetentionPolicy.parseDuration(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith(": ''");
    }

    @Test
    void toOptions_roundTripsThroughParse() {
        RetentionPolicy policy = RetentionPolicy.builder().keepWithin(Duration.ofHours(36)).keepDaily(7)
                .zone(ZoneId.of("America/New_York")).maxDeleteFraction(0.3).build();

        assertThat(policy.toOptions())
                .isEqualTo("--keep-within 1d12h --keep-daily 7 --zone America/New_York --max-delete 0.3");
        assertThat(RetentionPolicy.parse(policy.toOptions())).isEqualTo(policy);
    }
}
