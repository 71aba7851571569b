package io.opskit.backup.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A bounded hand-off of byte chunks from one producing thread to one consuming thread, so that two
 * pipeline stages run on two cores. Memory is fixed: {@code chunks} buffers of {@code chunkSize}
 * bytes are allocated once and recycled. Either side can fail; the other then stops with an error
 * instead of blocking.
 */
public final class ChunkPipe {

    private record Chunk(byte[] bytes, int length) {
    }

    private static final Chunk END = new Chunk(new byte[0], -1);

    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> free;
    private volatile boolean consumerFailed;

    /** Creates a pipe. */
    public ChunkPipe(int chunks, int chunkSize) {
        this.full = new ArrayBlockingQueue<>(chunks + 1);
        this.free = new ArrayBlockingQueue<>(chunks);
        for (int i = 0; i < chunks; i++) {
            free.add(new byte[chunkSize]);
        }
    }

    /** The producer's side; {@link OutputStream#close()} marks the end of the data. */
    public OutputStream producer() {
        return new OutputStream() {
            private byte @Nullable [] current;
            private int filled;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    if (current == null) {
                        current = take();
                        filled = 0;
                    }
                    int n = Math.min(len, current.length - filled);
                    System.arraycopy(b, off, current, filled, n);
                    filled += n;
                    off += n;
                    len -= n;
                    if (filled == current.length) {
                        put(new Chunk(current, filled));
                        current = null;
                    }
                }
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                if (current != null && filled > 0) {
                    put(new Chunk(current, filled));
                    current = null;
                }
                put(END);
            }
        };
    }

    private byte[] take() throws IOException {
        try {
            while (true) {
                if (consumerFailed) {
                    throw new IOException("pipeline stopped: the writing stage failed");
                }
                byte[] buffer = free.poll(100, TimeUnit.MILLISECONDS);
                if (buffer != null) {
                    return buffer;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("pipeline interrupted");
        }
    }

    private void put(Chunk chunk) throws IOException {
        try {
            while (!full.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (consumerFailed) {
                    throw new IOException("pipeline stopped: the writing stage failed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("pipeline interrupted");
        }
    }

    /**
     * Reads {@code source} to its end on a new daemon thread and returns the consumer's side, so
     * that what produces {@code source} (decryption) and what reads the result (decompression)
     * run on two cores. An exception of the producing side is rethrown, as it is, by the reading
     * side; closing the reading side stops the producer.
     */
    public static java.io.InputStream readAhead(java.io.InputStream source, String threadName) {
        ChunkPipe pipe = new ChunkPipe(4, 1 << 18);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[1 << 16];
            OutputStream out = pipe.producer();
            try {
                int n;
                while ((n = source.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
                out.close(); // the end marker: only after a complete, successful read
            } catch (Throwable t) {
                // Record the failure before the end marker, so the reader can never take a
                // failed stream for a complete one. There is always room: 4 buffers, 5 slots.
                failure.set(t);
                pipe.full.offer(END);
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
        return new java.io.InputStream() {
            private @Nullable Chunk current;
            private int pos;
            private boolean ended;

            private final byte[] one = new byte[1]; // reused: read() is called per byte

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (current == null || pos == current.length()) {
                    if (current != null) {
                        pipe.free.offer(current.bytes());
                        current = null;
                    }
                    if (ended) {
                        return -1;
                    }
                    Chunk next;
                    try {
                        next = pipe.full.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("read-ahead interrupted");
                    }
                    if (next == END) {
                        ended = true;
                        Throwable t = failure.get();
                        if (t instanceof IOException io) {
                            throw io;
                        } else if (t instanceof RuntimeException runtime) {
                            throw runtime;
                        } else if (t != null) {
                            throw new IOException("read-ahead failed: " + t, t);
                        }
                        return -1;
                    }
                    current = next;
                    pos = 0;
                }
                int n = Math.min(len, current.length() - pos);
                System.arraycopy(current.bytes(), pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                pipe.consumerFailed = true;
                reader.interrupt();
                source.close();
            }
        };
    }

    /**
     * Copies every chunk to {@code sink} until the producer closes, on the calling thread.
     *
     * @param producerFailed checked while waiting: when it returns true the copy stops
     * @return the number of bytes copied
     * @throws IOException when {@code sink} fails (the producer is then stopped too)
     */
    public long drainTo(OutputStream sink, java.util.function.BooleanSupplier producerFailed) throws IOException {
        long total = 0;
        try {
            while (true) {
                Chunk chunk = full.poll(100, TimeUnit.MILLISECONDS);
                if (chunk == null) {
                    if (producerFailed.getAsBoolean()) {
                        throw new IOException("pipeline stopped: the snapshot stage failed");
                    }
                    continue;
                }
                if (chunk == END) {
                    return total;
                }
                sink.write(chunk.bytes(), 0, chunk.length());
                total += chunk.length();
                free.offer(chunk.bytes());
            }
        } catch (InterruptedException e) {
            consumerFailed = true;
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("pipeline interrupted");
        } catch (IOException | RuntimeException e) {
            consumerFailed = true;
            throw e;
        }
    }
}
