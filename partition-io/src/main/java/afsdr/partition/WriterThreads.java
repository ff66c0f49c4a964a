package afsdr.partition;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads that write files beside a stream (the next part of the stream is read while they
 * write), and waiting for what they wrote. A write in progress must end before its buffer is
 * reused or its file closed, given back or named by a record, so the waits here do not give up
 * when the waiting thread is interrupted: they wait on and set the interrupt flag again.
 */
public final class WriterThreads {
    private WriterThreads() {
    }

    /**
     * A pool of daemon threads named {@code name}, as many as tasks are handed to it at once (its
     * users bound that themselves: one or two per stream), each ended after 30 s idle.
     */
    public static ExecutorService pool(String name) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The task's result once it has ended; its IOException, RuntimeException or Error is thrown
     * as it was (anything else wrapped in an IOException saying {@code what} failed).
     */
    public static <T> T await(Future<T> f, String what) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause(), what);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Throws {@code t} as it is when it is an IOException, RuntimeException or Error, and anything
     * else wrapped in an IOException saying {@code what} failed (declared to return, so that
     * callers can write {@code throw rethrow(t, what)}).
     */
    public static IOException rethrow(Throwable t, String what) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error er) {
            throw er;
        }
        throw new IOException(what + " failed", t);
    }

    /** Waits for the task to end, ignoring its outcome (on a failure path whose own error is reported). */
    public static void awaitQuietly(Future<?> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
