package io.opskit.ratelimit;

import java.math.BigDecimal;

/** Formats micro-USD for messages. */
final class Money {

    private Money() {
    }

    static String usd(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
