package io.opskit.metrics;

import io.opskit.api.Redactor;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Request ids: accepted from {@value #HEADER} when short and made of safe characters, generated
 * otherwise, kept in the SLF4J MDC under {@value #MDC_KEY} while a request runs, and carried across
 * an executor hop with {@link #carry(Runnable)} or {@link #carrying(Executor)}.
 *
 * <p>An accepted id is 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ -}; anything
 * else (too long, spaces, quotes, control characters, which could forge log lines) is replaced by a
 * generated id of 32 lower-case hex digits (128 random bits). So is an id that looks like a secret
 * ({@link Redactor} would mask it), so that no credential reaches the logs through it. Stateless and
 * thread-safe.
 */
public final class RequestIds {

    /** The request and response header. */
    public static final String HEADER = "X-Request-Id";
    /** The MDC key. */
    public static final String MDC_KEY = "request_id";
    /** The longest incoming id accepted. */
    public static final int MAX_LENGTH = 64;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** Whether an incoming id may be used as it is. */
    public static boolean isAcceptable(@Nullable String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!safe) {
                return false;
            }
        }
        // An id shaped like a key (sk-..., token=...) would carry a secret into every log line.
        return Redactor.redact(id) == id;
    }

    /** {@code incoming} when {@link #isAcceptable(String) acceptable}, else a {@link #generate() new id}. */
    public static String acceptOrGenerate(@Nullable String incoming) {
        return isAcceptable(incoming) ? incoming : generate();
    }

    /** A new id: 32 lower-case hex digits from 128 random bits ({@link ThreadLocalRandom}; not a secret). */
    public static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = random.nextLong();
        long lo = random.nextLong();
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (hi & 0xF)];
            hi >>>= 4;
            out[16 + i] = HEX[(int) (lo & 0xF)];
            lo >>>= 4;
        }
        return new String(out);
    }

    /** The id of the request running on this thread, from the MDC; {@code null} outside a request. */
    public static @Nullable String current() {
        return MDC.get(MDC_KEY);
    }

    /**
     * Wraps {@code task} so that it runs with this thread's current request id in its MDC, and
     * restores the running thread's previous id afterwards.
     */
    public static Runnable carry(Runnable task) {
        Objects.requireNonNull(task, "task");
        String id = current();
        return () -> {
            String previous = swap(id);
            try {
                task.run();
            } finally {
                swap(previous);
            }
        };
    }

    /** As {@link #carry(Runnable)} for a {@link Callable}. */
    public static <T> Callable<T> carry(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        String id = current();
        return () -> {
            String previous = swap(id);
            try {
                return task.call();
            } finally {
                swap(previous);
            }
        };
    }

    /** An executor that {@linkplain #carry(Runnable) carries} the submitting thread's request id to each task. */
    public static Executor carrying(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return task -> executor.execute(carry(task));
    }

    /**
     * Puts {@code id} in the MDC (removes the key when null).
     *
     * @return the id that was there before, or {@code null}
     */
    public static @Nullable String swap(@Nullable String id) {
        String previous = MDC.get(MDC_KEY);
        if (id == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, id);
        }
        return previous;
    }
}
