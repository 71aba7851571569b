package io.opskit.api.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RestoreTargetTest {

    @Test
    void postgres_neverShowsThePassword_inDescribeOrToString() {
        RestoreTarget inUrl = RestoreTarget.postgres("jdbc:postgresql://db:5432/app?user=u&password=hunter2&sslmode=require");
        RestoreTarget apart = RestoreTarget.postgres("jdbc:postgresql://db:5432/app?user=u", "hunter2");

        assertThat(inUrl.describe()).contains("sslmode=require").doesNotContain("hunter2");
        assertThat(inUrl.toString()).doesNotContain("hunter2");
        assertThat(apart.toString()).doesNotContain("hunter2").contains("password=***");
        assertThat(((RestoreTarget.Postgres) apart).password()).contains("hunter2");
    }

    @Test
    void postgres_notAJdbcUrl_isRefusedNamingItWithoutThePassword() {
        assertThatThrownBy(() -> RestoreTarget.postgres("postgres://u:hunter2@db/app"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jdbcUrl must start with jdbc:postgresql://")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void fileAndDirectory_areValues_describedByTheirPath() {
        assertThat(RestoreTarget.file(Path.of("app.db"))).isEqualTo(new RestoreTarget.File(Path.of("app.db")));
        assertThat(RestoreTarget.directory(Path.of("out")).describe()).isEqualTo("out");
        assertThat(RestoreOptions.forced().force()).isTrue();
        assertThat(RestoreOptions.defaults().force()).isFalse();
    }

    @Test
    void strategy_defaultTarget_refusesTextNamingTheKind() {
        RestoreStrategy strategy = new RestoreStrategy() {
            @Override
            public String kind() {
                return "acme";
            }

            @Override
            public void restore(SnapshotArchive archive, RestoreTarget target, RestoreOptions options) {
            }
        };
        assertThatThrownBy(() -> strategy.target("somewhere")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a acme restore takes no target written as text: 'somewhere'");
    }
}
