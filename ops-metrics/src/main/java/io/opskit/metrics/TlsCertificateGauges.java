package io.opskit.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gauge of when a certificate chain the service presents expires, for {@link AlertPack}'s
 * {@value AlertPack#TLS_CERTIFICATE_EXPIRING} alert: {@value #EXPIRY} (Prometheus
 * {@value #PROMETHEUS_NAME}), the Unix time in seconds of the earliest {@code notAfter} in the
 * chain, tagged {@code certificate}.
 *
 * <p>The chain is read at each scrape from the supplier, so a renewed certificate shows at once. A
 * supplier that throws or gives an empty chain reads NaN (no sample, so no alert; logged at WARN
 * once, then DEBUG). Thread-safe when the supplier is.
 */
public final class TlsCertificateGauges implements MeterBinder {

    /** The gauge's name: Unix time, in seconds, when the first certificate of the chain expires. */
    public static final String EXPIRY = "tls.certificate.expiry.timestamp";
    /** The gauge's Prometheus name. */
    public static final String PROMETHEUS_NAME = "tls_certificate_expiry_timestamp_seconds";

    private static final Logger log = LoggerFactory.getLogger(TlsCertificateGauges.class);

    private final String name;
    private final Supplier<? extends List<X509Certificate>> chain;
    private volatile boolean warned;

    private TlsCertificateGauges(String name, Supplier<? extends List<X509Certificate>> chain) {
        this.name = name;
        this.chain = chain;
    }

    /**
     * A gauge tagged {@code certificate=name} over the chain {@code chain} gives.
     *
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public static TlsCertificateGauges of(String name, Supplier<? extends List<X509Certificate>> chain) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(chain, "chain");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: '" + name + "'");
        }
        return new TlsCertificateGauges(name, chain);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(EXPIRY, this, TlsCertificateGauges::expiresAtEpochSeconds)
                .description("Unix time at which the first certificate of the chain expires")
                .baseUnit("seconds")
                .tag("certificate", name)
                // The registry holds gauge objects weakly: without this, a binder the host does not
                // keep ("of(...).bindTo(registry)") is collected and the gauge reads NaN.
                .strongReference(true)
                .register(registry);
    }

    @SuppressWarnings("JavaUtilDate") // X509Certificate's own API
    private static long notAfterMillis(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant().toEpochMilli();
    }

    /** The Unix time, in seconds, of the earliest {@code notAfter} in the chain; NaN when it cannot be read. */
    public double expiresAtEpochSeconds() {
        try {
            List<X509Certificate> certificates = chain.get();
            long earliest = Long.MAX_VALUE;
            for (X509Certificate c : certificates) {
                earliest = Math.min(earliest, notAfterMillis(c));
            }
            if (earliest == Long.MAX_VALUE) {
                throw new IllegalStateException("the chain is empty");
            }
            warned = false;
            return earliest / 1000.0;
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                log.warn("certificate {}: cannot read its chain, so its expiry is not reported: {}", name, e.toString());
            } else {
                log.debug("certificate {}: chain still unreadable", name, e);
            }
            return Double.NaN;
        }
    }
}
