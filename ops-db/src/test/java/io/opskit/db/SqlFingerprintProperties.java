package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.db.internal.SqlFingerprint;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

class SqlFingerprintProperties {

    @Property(tries = 300)
    void stringLiterals_neverSurvive(@ForAll @AlphaChars @StringLength(min = 6, max = 30) String secret,
                                     @ForAll("templates") String template) {
        String sql = template.replace("$L", "'" + secret.replace("'", "''") + "'");
        assertThat(SqlFingerprint.of(sql)).doesNotContain(secret.toLowerCase(java.util.Locale.ROOT));
    }

    @Property(tries = 300)
    void numberLiterals_neverSurvive(@ForAll @LongRange(min = 100_000, max = Long.MAX_VALUE) long n,
                                     @ForAll("templates") String template) {
        String sql = template.replace("$L", Long.toString(n));
        assertThat(SqlFingerprint.of(sql)).doesNotContain(Long.toString(n));
    }

    @Property(tries = 300)
    void fingerprint_isIdempotentAndBounded(@ForAll @StringLength(max = 400) String anything) {
        String once = SqlFingerprint.of(anything);
        assertThat(once.length()).isLessThanOrEqualTo(SqlFingerprint.MAX_LENGTH);
        if (once.length() < SqlFingerprint.MAX_LENGTH - 12) {
            assertThat(SqlFingerprint.of(once)).isEqualTo(once);
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> templates() {
        return net.jqwik.api.Arbitraries.of(
                "SELECT * FROM users WHERE email = $L",
                "insert into t(a, b) values ($L, $L)",
                "UPDATE t SET v = $L WHERE id IN ($L, $L, $L)",
                "select x from y where a = $L -- comment $L\n and b = ?",
                "DELETE FROM s WHERE expires_at < $L /* $L */");
    }

    @Example
    void lists_collapse_andCaseAndSpaceNormalised() {
        assertThat(SqlFingerprint.of("SELECT  *\n FROM t WHERE id IN (1, 2, 3) AND name = 'o''brien'"))
                .isEqualTo("select * from t where id in (?) and name = ?");
        assertThat(SqlFingerprint.of("INSERT INTO t VALUES (1, 'a'), (2, 'b')")).isEqualTo("insert into t values (?)");
        assertThat(SqlFingerprint.of("select $1, $tag$body$tag$, col2 from \"Table1\" where x = -5"))
                .isEqualTo("select ?, col2 from \"Table1\" where x = ?");
        assertThat(SqlFingerprint.operation("select 1")).isEqualTo("SELECT");
        assertThat(SqlFingerprint.operation("frobnicate")).isEqualTo("OTHER");
    }

    @Example
    void longStatements_areCutWithAHash() {
        String a = "select " + "a,".repeat(200) + " b from t";
        String b = "select " + "a,".repeat(200) + " c from t";
        assertThat(SqlFingerprint.of(a)).hasSize(SqlFingerprint.MAX_LENGTH - 10 + 10).isNotEqualTo(SqlFingerprint.of(b));
    }
}
