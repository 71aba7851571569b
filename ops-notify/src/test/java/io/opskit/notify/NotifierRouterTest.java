package io.opskit.notify;

import static io.opskit.notify.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NotifierRouterTest {

    static final class Inbox implements Notifier, AutoCloseable {
        final List<OpsEvent> events = new CopyOnWriteArrayList<>();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void notify(OpsEvent event) {
            events.add(event);
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }

        List<String> types() {
            return events.stream().map(OpsEvent::type).toList();
        }
    }

    @Test
    void notify_pageCriticalMailWarningLogAll_eachGetsWhatMatches() {
        Inbox pager = new Inbox();
        Inbox mail = new Inbox();
        Inbox log = new Inbox();
        NotifierRouter router = NotifierRouter.builder()
                .severityAtLeast(Severity.CRITICAL, pager)
                .severityAtLeast(Severity.WARNING, mail)
                .all(log)
                .build();

        router.notify(event("backup:app/db", "backup.failed", Severity.CRITICAL, "x"));
        router.notify(event("budget:openai", "budget.soft_limit", Severity.WARNING, "x"));
        router.notify(event("backup:app/db", "backup.succeeded", Severity.INFO, "x"));

        assertThat(pager.types()).containsExactly("backup.failed");
        assertThat(mail.types()).containsExactly("backup.failed", "budget.soft_limit");
        assertThat(log.types()).containsExactly("backup.failed", "budget.soft_limit", "backup.succeeded");
    }

    @Test
    void notify_typeAndSourcePrefixes_sameNotifierOnTwoRoutesGetsEventOnce() {
        Inbox mail = new Inbox();
        Inbox other = new Inbox();
        NotifierRouter router = NotifierRouter.builder()
                .typePrefix("backup.", mail)
                .sourcePrefix("health:", mail)
                .sourcePrefix("backup:", mail)
                .otherwise(other)
                .build();

        router.notify(event("backup:app/db", "backup.failed", Severity.CRITICAL, "x"));
        router.notify(event("health:db", "health.status_changed", Severity.WARNING, "x"));
        router.notify(event("alert:x", "alert.firing", Severity.CRITICAL, "x"));

        assertThat(mail.types()).containsExactly("backup.failed", "health.status_changed");
        assertThat(other.types()).containsExactly("alert.firing");
    }

    @Test
    void notify_oneNotifierThrows_othersStillHear() {
        Inbox after = new Inbox();
        NotifierRouter router = NotifierRouter.builder()
                .all(e -> {
                    throw new IllegalStateException("broken");
                })
                .route(e -> {
                    throw new IllegalStateException("broken condition");
                }, new Inbox())
                .all(after)
                .build();
        router.notify(event("backup:app/db", 1));
        router.notify(event("backup:app/db", 2));
        assertThat(after.events).hasSize(2);
    }

    @Test
    void close_routedCloseables_closedOnceEach() {
        Inbox mail = new Inbox();
        NotifierRouter router = NotifierRouter.builder().all(mail).typePrefix("backup.", mail).otherwise(mail).build();
        router.close();
        assertThat(mail.closed).hasValue(1);
    }
}
