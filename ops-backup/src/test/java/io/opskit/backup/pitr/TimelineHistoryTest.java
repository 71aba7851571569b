package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Timeline history files as PostgreSQL writes them, and what is refused. */
class TimelineHistoryTest {

    @Test
    void parse_fileOfTheThirdTimeline_givesItsAncestorsOldestFirst() {
        // What PostgreSQL 15 archives after a restore to a moment and a later failover.
        String content = "1\t0/5000A10\tbefore 2026-12-01 01:58:00.000000+00\n"
                + "2\t0/9000060\tno recovery target specified\n";

        TimelineHistory h = TimelineHistory.parse("00000003.history", content.getBytes(StandardCharsets.UTF_8));

        assertThat(h.timeline()).isEqualTo(3);
        assertThat(h.entries()).containsExactly(
                new TimelineHistory.Entry(1, Lsn.parse("0/5000A10"), "before 2026-12-01 01:58:00.000000+00"),
                new TimelineHistory.Entry(2, Lsn.parse("0/9000060"), "no recovery target specified"));
        assertThat(h.parent()).hasValue(2);
        assertThat(h.begin()).contains(Lsn.parse("0/9000060"));
        assertThat(h.switchPointOf(1)).contains(Lsn.parse("0/5000A10"));
        assertThat(h.switchPointOf(3)).isEmpty();
    }

    @Test
    void parse_commentsBlankLinesSpacesAndCrlf_areSkippedAsPostgresqlDoes_reasonMayBeMissing() {
        TimelineHistory h = TimelineHistory.parse("0000000A.history",
                "# written by hand\r\n\r\n  4 1/2A\r\n   \n7\t2/0\tat restore point \"x\"");

        assertThat(h.timeline()).isEqualTo(10);
        assertThat(h.entries()).containsExactly(new TimelineHistory.Entry(4, Lsn.parse("1/2A"), ""),
                new TimelineHistory.Entry(7, Lsn.parse("2/0"), "at restore point \"x\""));
    }

    @Test
    void parse_emptyFile_isATimelineWithoutAncestors() {
        assertThat(TimelineHistory.parse("00000002.history", "").parent()).isEmpty();
    }

    @Test
    void parse_badLines_nameTheFileTheLineAndWhatWasExpected() {
        assertThatThrownBy(() -> TimelineHistory.parse("00000002.history", "1\t0/5000A10\tok\nabc\t0/1\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("00000002.history line 2: expected a timeline id (a decimal number) at the start, found 'abc\\t0/1'");
        assertThatThrownBy(() -> TimelineHistory.parse("00000002.history", "1\n"))
                .hasMessageStartingWith("00000002.history line 1: expected a tab and a switch point location X/Y after"
                        + " timeline id 1");
        assertThatThrownBy(() -> TimelineHistory.parse("00000002.history", "1\t0-5000A10\n"))
                .hasMessage("00000002.history line 1: expected a switch point location X/Y in hexadecimal after timeline id 1,"
                        + " found '0-5000A10'");
        assertThatThrownBy(() -> TimelineHistory.parse("00000003.history", "2\t0/9\n1\t0/10\n"))
                .hasMessage("00000003.history line 2: timeline ids must increase, but 1 follows 2");
        assertThatThrownBy(() -> TimelineHistory.parse("00000003.history", "1\t0/90\n2\t0/10\n"))
                .hasMessageStartingWith("00000003.history line 2: switch point 0/10 of timeline 2 is before 0/90");
        assertThatThrownBy(() -> TimelineHistory.parse("00000002.history", "2\t0/10\n"))
                .hasMessageStartingWith("00000002.history line 1: timeline 2 is not an ancestor of timeline 2");
        assertThatThrownBy(() -> TimelineHistory.parse("00000005.history", "99999999999\t0/10\n"))
                .hasMessageStartingWith("00000005.history line 1: timeline id '99999999999' is outside 1 to 4294967295");
        assertThatThrownBy(() -> TimelineHistory.parse("000000010000000000000002", "1\t0/10\n"))
                .hasMessageStartingWith("'000000010000000000000002' is not a timeline history file name");
    }

    @Test
    void parse_longGarbageLine_isQuotedOnOneShortLine() {
        String garbage = "x".repeat(500) + "\u0000\u2028";
        assertThatThrownBy(() -> TimelineHistory.parse("00000002.history", garbage))
                .hasMessageNotContaining("\u0000").hasMessageContaining("x".repeat(60) + "...'")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }
}
