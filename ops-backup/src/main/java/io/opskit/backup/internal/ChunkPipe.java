package io.opskit.backup.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

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
            private byte[] current;
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
