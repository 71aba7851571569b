package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RequestIdsTest {

    @Test
    void acceptOrGenerate_safeIncoming_keptAsIs() {
        assertThat(RequestIds.acceptOrGenerate("abc-123_x.y")).isEqualTo("abc-123_x.y");
    }

    @Test
    void acceptOrGenerate_unsafeIncoming_replaced() {
        for (String bad : new String[] {null, "", "a b", "x\ny", "<script>", "a".repeat(65), "id\"quote",
            "sk-proj-AbCdEf123456"}) {
            String id = RequestIds.acceptOrGenerate(bad);
            assertThat(id).isNotEqualTo(bad).matches("[0-9a-f]{32}");
        }
    }

    @Test
    void generate_twice_differs() {
        assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
    }

    @Test
    void carrying_executorHop_seesSubmittersIdAndLeavesWorkerClean() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            AtomicReference<String> seen = new AtomicReference<>();
            AtomicReference<String> after = new AtomicReference<>("unset");
            try (RequestIds.Scope scope = RequestIds.enter("req-42")) {
                RequestIds.carrying(pool).execute(() -> seen.set(RequestIds.current().orElse(null)));
            }
            pool.submit(() -> after.set(MDC.get(RequestIds.MDC_KEY))).get(5, TimeUnit.SECONDS);
            assertThat(seen.get()).isEqualTo("req-42");
            assertThat(after.get()).isNull();
            assertThat(MDC.get(RequestIds.MDC_KEY)).as("the scope put back the thread's previous (no) id").isNull();
            assertThat(pool.submit(RequestIds.carry(() -> RequestIds.current())).get(5, TimeUnit.SECONDS)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void carrying_requestWithTraceContext_workerSeesTraceAndSpanIdsThenIsClean() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            AtomicReference<java.util.Map<String, String>> seen = new AtomicReference<>();
            TraceContext trace = new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
            try (RequestIds.Scope scope = RequestIds.enter("req-43", java.util.Optional.of(trace))) {
                RequestIds.carrying(pool).execute(() -> seen.set(MDC.getCopyOfContextMap()));
            }
            assertThat(MDC.get(TraceContext.TRACE_ID_KEY)).as("the submitter after its scope").isNull();
            java.util.Map<String, String> after = pool.submit(() -> MDC.getCopyOfContextMap()).get(5, TimeUnit.SECONDS);
            assertThat(seen.get()).containsEntry("request_id", "req-43")
                    .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
                    .containsEntry("span_id", "00f067aa0ba902b7");
            assertThat(after == null ? java.util.Map.of() : after).doesNotContainKeys("request_id", "trace_id", "span_id");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void enter_withoutTrace_removesAnEarlierTraceForTheScopeAndPutsItBack() {
        MDC.put(TraceContext.TRACE_ID_KEY, "4bf92f3577b34da6a3ce929d0e0e4736");
        try {
            try (RequestIds.Scope scope = RequestIds.enter("req-44", java.util.Optional.empty())) {
                assertThat(MDC.get(TraceContext.TRACE_ID_KEY)).isNull();
            }
            assertThat(MDC.get(TraceContext.TRACE_ID_KEY)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            try (RequestIds.Scope scope = RequestIds.enter("req-45")) {
                assertThat(MDC.get(TraceContext.TRACE_ID_KEY)).as("enter(id) leaves the trace keys")
                        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            }
        } finally {
            MDC.remove(TraceContext.TRACE_ID_KEY);
        }
    }

    @Test
    void enter_nested_closeRestoresTheOuterIdAndClosingTwiceDoesNothing() {
        try (RequestIds.Scope outer = RequestIds.enter("outer")) {
            RequestIds.Scope inner = RequestIds.enter("inner");
            assertThat(RequestIds.current()).contains("inner");
            inner.close();
            assertThat(RequestIds.current()).contains("outer");
            RequestIds.enter("later");
            inner.close();
            assertThat(RequestIds.current()).as("a second close changes nothing").contains("later");
        }
        assertThat(RequestIds.current()).isEmpty();
    }

    @Property
    void acceptOrGenerate_anyInput_resultIsSafe(@ForAll String incoming) {
        String id = RequestIds.acceptOrGenerate(incoming);
        assertThat(RequestIds.isAcceptable(id)).isTrue();
        assertThat(id.length()).isLessThanOrEqualTo(RequestIds.MAX_LENGTH);
        if (RequestIds.isAcceptable(incoming)) {
            assertThat(id).isEqualTo(incoming);
        }
    }
}
