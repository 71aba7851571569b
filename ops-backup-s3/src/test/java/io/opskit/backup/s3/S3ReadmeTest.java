package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The README's S3 snippet compiles against the real API. */
class S3ReadmeTest {

    @Test
    void readmeSnippet_compiles() throws Exception {
        ReadmeSnippets.Snippet snippet = ReadmeSnippets.forProject().section("### Off-site repositories on S3 (ops-backup-s3)");
        assertThat(snippet.body()).contains("S3BackupStore.builder()");
        assertThat(snippet.compile("offsite")).isNotNull();
    }
}
