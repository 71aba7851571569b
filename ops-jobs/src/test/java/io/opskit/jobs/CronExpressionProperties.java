package io.opskit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link CronExpression#next} against a brute-force reference: the reference walks minute by
 * minute (skipping whole local days that cannot match) and applies the documented rules literally
 * — a wall time fires at its first occurrence; wall times skipped by a gap fire at the gap's end.
 */
class CronExpressionProperties {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("America/Sao_Paulo"),
            ZoneId.of("Asia/Kolkata"), ZoneId.of("Pacific/Chatham"), ZoneId.of("Antarctica/Troll"),
            ZoneId.of("America/St_Johns"));
    private static final String[] MONTH_NAMES = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAY_NAMES = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    /** One field as text plus the set of values it denotes, computed independently of the parser. */
    record Field(String text, boolean[] values, boolean star) {
        boolean has(int v) {
            return values[v];
        }
    }

    record Cron(Field minute, Field hour, Field dom, Field month, Field dow) {
        String text() {
            return minute.text + " " + hour.text + " " + dom.text + " " + month.text + " " + dow.text;
        }

        boolean dayMatches(LocalDate d) {
            if (!month.has(d.getMonthValue())) {
                return false;
            }
            boolean domOk = dom.has(d.getDayOfMonth());
            boolean dowOk = dow.has(d.getDayOfWeek().getValue() % 7) || (d.getDayOfWeek().getValue() == 7 && dow.has(7));
            return dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
        }

        boolean matches(LocalDateTime t) {
            return dayMatches(t.toLocalDate()) && hour.has(t.getHour()) && minute.has(t.getMinute());
        }

        @Override
        public String toString() {
            return '"' + text() + '"';
        }
    }

    private static Arbitrary<Field> field(int min, int max, String[] names, int nameBase) {
        Arbitrary<Integer> value = Arbitraries.integers().between(min, max);
        Arbitrary<Integer> step = Arbitraries.integers().between(1, Math.max(2, (max - min) / 2));
        Arbitrary<Field> star = Arbitraries.just(range(min, max, min, max, 1, "*", true));
        Arbitrary<Field> starStep = step.map(s -> range(min, max, min, max, s, "*/" + s, true));
        Arbitrary<Field> single = value.map(v -> range(min, max, v, v, 1, name(v, names, nameBase), false));
        Arbitrary<Field> span = Combinators.combine(value, value, step, Arbitraries.of(true, false)).as((a, b, s, stepped) -> {
            int lo = Math.min(a, b);
            int hi = Math.max(a, b);
            String text = name(lo, names, nameBase) + "-" + name(hi, names, nameBase) + (stepped ? "/" + s : "");
            return range(min, max, lo, hi, stepped ? s : 1, text, false);
        });
        Arbitrary<Field> item = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, single), net.jqwik.api.Tuple.of(2, span));
        Arbitrary<Field> list = item.list().ofMinSize(2).ofMaxSize(3).map(items -> {
            boolean[] values = new boolean[max + 1];
            for (Field f : items) {
                for (int v = 0; v <= max; v++) {
                    values[v] |= f.values[v];
                }
            }
            return new Field(items.stream().map(Field::text).collect(Collectors.joining(",")), values, false);
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, star), net.jqwik.api.Tuple.of(2, starStep),
                net.jqwik.api.Tuple.of(3, single), net.jqwik.api.Tuple.of(2, span), net.jqwik.api.Tuple.of(2, list));
    }

    private static String name(int v, String[] names, int base) {
        // Use a name now and then, in mixed case, as users write them.
        if (names != null && v - base < names.length && v % 3 == 0) {
            String n = names[v - base];
            return v % 2 == 0 ? n : n.toLowerCase(java.util.Locale.ROOT);
        }
        return Integer.toString(v);
    }

    private static Field range(int min, int max, int from, int to, int step, String text, boolean star) {
        boolean[] values = new boolean[max + 1];
        for (int v = from; v <= to; v += step) {
            values[v] = true;
        }
        return new Field(text, values, star);
    }

    @Provide
    Arbitrary<Cron> crons() {
        return Combinators.combine(field(0, 59, null, 0), field(0, 23, null, 0), field(1, 31, null, 0),
                field(1, 12, MONTH_NAMES, 1), field(0, 7, DAY_NAMES, 0)).as(Cron::new);
    }

    @Provide
    Arbitrary<ZonedDateTime> starts() {
        Arbitrary<Instant> anyTime = Arbitraries.longs()
                .between(Instant.parse("2000-01-01T00:00:00Z").getEpochSecond(), Instant.parse("2035-01-01T00:00:00Z").getEpochSecond())
                .map(Instant::ofEpochSecond);
        Arbitrary<ZoneId> zones = Arbitraries.of(ZONES);
        // Half the starts lie within three hours of a daylight-saving change.
        Arbitrary<ZonedDateTime> nearChange = Combinators.combine(anyTime, zones, Arbitraries.longs().between(-180 * 60, 180 * 60))
                .as((t, zone, seconds) -> {
                    ZoneOffsetTransition next = zone.getRules().nextTransition(t);
                    Instant base = next == null ? t : next.getInstant();
                    return base.plusSeconds(seconds).atZone(zone);
                });
        Arbitrary<ZonedDateTime> anywhere = Combinators.combine(anyTime, zones).as(Instant::atZone);
        return Arbitraries.oneOf(nearChange, anywhere);
    }

    @Property(tries = 500)
    void next_randomExpressionAndStart_isFirstFiringMinuteAfterStart(@ForAll("crons") Cron cron,
                                                                    @ForAll("starts") ZonedDateTime from) {
        if (!anyDayPossible(cron)) {
            assertThatThrownBy(() -> CronExpression.parse(cron.text()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never occurs");
            return;
        }
        CronExpression expression = CronExpression.parse(cron.text());

        ZonedDateTime next = expression.next(from);

        assertThat(next.toInstant()).isAfter(from.toInstant());
        assertThat(next.getZone()).isEqualTo(from.getZone());
        assertThat(next.toInstant()).as("next of %s after %s", cron, from).isEqualTo(reference(cron, from));
    }

    @Property(tries = 200)
    void matches_randomExpression_agreesWithFieldSets(@ForAll("crons") Cron cron, @ForAll("starts") ZonedDateTime at) {
        if (!anyDayPossible(cron)) {
            return;
        }
        LocalDateTime local = at.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);

        assertThat(CronExpression.parse(cron.text()).matches(local)).isEqualTo(cron.matches(local));
    }

    private static boolean anyDayPossible(Cron cron) {
        if (!cron.dow.star && !cron.dom.star) {
            return true;
        }
        if (!cron.dow.star) {
            return true;
        }
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= Month.of(m).maxLength(); d++) {
                if (cron.month.has(m) && cron.dom.has(d)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The brute-force answer: the first instant after {@code from} at which the expression fires. */
    private static Instant reference(Cron cron, ZonedDateTime from) {
        ZoneId zone = from.getZone();
        Instant t = from.toInstant().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        Instant limit = from.toInstant().plus(Duration.ofDays(401 * 366));
        while (t.isBefore(limit)) {
            LocalDateTime local = t.atZone(zone).toLocalDateTime();
            if (!cron.dayMatches(local.toLocalDate())) {
                Instant nextDay = local.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
                // A gap's skipped wall times share the date of the gap's end, so checking that
                // minute's own date first is enough; step at least one minute.
                t = nextDay.isAfter(t) ? nextDay : t.plus(Duration.ofMinutes(1));
                continue;
            }
            if (fires(cron, t, zone)) {
                return t;
            }
            t = t.plus(Duration.ofMinutes(1));
        }
        throw new AssertionError("no run within 401 years for " + cron);
    }

    private static boolean fires(Cron cron, Instant t, ZoneId zone) {
        LocalDateTime local = t.atZone(zone).toLocalDateTime();
        boolean firstOccurrence = ZonedDateTime.ofLocal(local, zone, null).toInstant().equals(t);
        if (firstOccurrence && cron.matches(local)) {
            return true;
        }
        Instant previous = t.minus(Duration.ofMinutes(1));
        ZoneOffset before = zone.getRules().getOffset(previous);
        ZoneOffset after = zone.getRules().getOffset(t);
        if (after.getTotalSeconds() > before.getTotalSeconds()) {
            // Clocks jumped forward between the previous minute and this one: every wall time in
            // between was skipped and fires now.
            List<LocalDateTime> skipped = new ArrayList<>();
            for (LocalDateTime g = previous.atOffset(before).toLocalDateTime().plusMinutes(1); g.isBefore(local); g = g.plusMinutes(1)) {
                skipped.add(g);
            }
            return skipped.stream().anyMatch(cron::matches);
        }
        return false;
    }

    @Provide
    Arbitrary<String> cronishText() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789*/-,?").ofMinLength(0).ofMaxLength(6),
                Arbitraries.of("MON", "sun", "JAN", "dec", "FOO", "60", "24", "32", "13", "8", "-1", "*/0", "5-1", "1,,2"));
        return token.list().ofMinSize(0).ofMaxSize(7).map(t -> String.join(" ", t));
    }

    @Property(tries = 2000)
    void parse_arbitraryText_failsOnlyWithMessageNamingCron(@ForAll("cronishText") String text) {
        try {
            CronExpression expression = CronExpression.parse(text);
            ZonedDateTime from = ZonedDateTime.parse("2026-11-21T06:00:00Z[UTC]");
            assertThat(expression.next(from)).isAfter(from);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("cron ");
        }
    }
}
