package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The README's point-in-time recovery snippet compiles against the real API. */
class PitrReadmeTest {

    @Test
    void readmeSnippet_compiles() throws Exception {
        ReadmeSnippets.Snippet snippet = ReadmeSnippets.forProject().section("### Point-in-time recovery (PostgreSQL)");
        assertThat(snippet.compile("pusher", ReadmeSnippets.Param.of("javax.sql.DataSource", "dataSource"))).isNotNull();
    }
}
