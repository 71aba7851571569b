package io.opskit.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

    @Test
    void readme_opsNotifySnippet_compiles() throws Exception {
        ReadmeSnippets.Compiled compiled = ReadmeSnippets.forProject().section("## ops-notify")
                .compile("notifier", Param.of("io.micrometer.core.instrument.MeterRegistry", "registry"));
        assertThat(compiled).isNotNull();
    }
}
