package io.opskit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parts of the benchmark's clients that read what the server and wrk print. */
class HealthUnderLoadBenchmarkTest {

    @Test
    void wrkDurationsInEachOfItsUnitsReadAsMilliseconds() {
        assertThat(HealthUnderLoadBenchmark.wrkMillis("812.00us")).isEqualTo(0.812);
        assertThat(HealthUnderLoadBenchmark.wrkMillis("53.32ms")).isEqualTo(53.32);
        assertThat(HealthUnderLoadBenchmark.wrkMillis("1.06s")).isEqualTo(1060.0);
        assertThat(HealthUnderLoadBenchmark.wrkMillis("2.00m")).isEqualTo(120_000.0);
        assertThatThrownBy(() -> HealthUnderLoadBenchmark.wrkMillis("12"))
                .hasMessageContaining("'12'");
    }

    @Test
    void oneKeepAliveResponseIsReadToItsEndAndTheNextStartsAfterIt() throws Exception {
        String two = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"status\":\"UP\"}"
                + "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}";
        InputStream in = new ByteArrayInputStream(two.getBytes(StandardCharsets.US_ASCII));

        assertThat(HealthUnderLoadBenchmark.readResponse(in)).isEqualTo(200);
        assertThat(HealthUnderLoadBenchmark.readResponse(in)).isEqualTo(503);
        assertThatThrownBy(() -> HealthUnderLoadBenchmark.readResponse(in)).isInstanceOf(EOFException.class);
    }
}
