package io.opskit.sample;

import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.notify.AsyncNotifier;
import io.opskit.notify.Delivery;
import io.opskit.notify.EmailNotifier;
import io.opskit.notify.NotifierRouter;
import io.opskit.notify.SmtpSecurity;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails backup failures (every {@code backup.*} event of WARNING or worse) and health status
 * changes when {@code notify.smtp.host} is set (see {@link SampleSettings#smtpNotify()}), at most one
 * mail per source every 15 minutes (the next one counts what was held back). Delivery is
 * asynchronous: a slow or unreachable mail server never delays a backup or a health check. Nothing
 * is paged. Without {@code notify.smtp.host} events go nowhere beyond the modules' own log lines.
 */
final class NotifyFeature implements SampleFeature {

    private static final Logger log = LoggerFactory.getLogger(NotifyFeature.class);

    /** At most one mail per source in this window. */
    static final Duration RATE_LIMIT = Duration.ofMinutes(15);

    @Override
    public void install(SampleHost host) {
        Optional<SampleSettings.SmtpNotify> smtp = host.settings().smtpNotify();
        if (smtp.isEmpty()) {
            log.info("notifications: none (set notify.smtp.host to mail backup failures and health changes)");
            return;
        }
        SampleSettings.SmtpNotify s = smtp.get();
        EmailNotifier.Builder mail = EmailNotifier.builder()
                .name("email")
                .host(s.host())
                .port(s.port())
                .security(s.starttls() ? SmtpSecurity.STARTTLS : SmtpSecurity.NONE)
                .from(s.from())
                .subjectPrefix("[" + host.settings().get("app.name", "opskit-sample") + "]")
                .clock(host.clock())
                .delivery(Delivery.builder().rateLimit(RATE_LIMIT).meterRegistry(host.registry()).build());
        s.to().forEach(mail::to);
        s.user().ifPresent(user -> mail.credentials(user, s.password().toCharArray()));
        AsyncNotifier email = mail.build();
        NotifierRouter router = NotifierRouter.builder()
                .route(NotifyFeature::mailed, email)
                .build();
        host.notifier(router);
        host.onClose(router);
        log.info("notifications: mailing backup failures and health changes to {} through {}:{}{}", s.to(),
                s.host(), s.port(), s.starttls() ? " (STARTTLS)" : "");
    }

    /** Backup events of WARNING or worse, and every health status change. */
    static boolean mailed(OpsEvent e) {
        return (e.type().startsWith("backup.") && e.severity().compareTo(Severity.WARNING) >= 0)
                || e.type().equals("health.status_changed");
    }
}
