package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeExampleTest {

    @TempDir
    Path dir;

    @Test
    void readmeSnippet_compilesAndRuns() throws Exception {
        Object name = ReadmeSnippets.forProject().section("## ops-db")
                .compile("retention", ReadmeSnippets.Param.of("javax.sql.DataSource", "dataSource"))
                .run(TestDatabase.sqlite(dir).dataSource());
        assertThat(((io.opskit.db.tasks.RetentionTask) name).name()).isEqualTo("retention:email_deliveries");
    }
}
