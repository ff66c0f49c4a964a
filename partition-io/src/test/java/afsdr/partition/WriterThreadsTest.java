package afsdr.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * {@link WriterThreads}: a wait outlasts an interrupt (the write must end before its buffer or
 * file is touched again), then sets the flag again; the task's own exception comes out as thrown.
 */
class WriterThreadsTest {
    private final ExecutorService pool = WriterThreads.pool("writer-threads-test");

    @Test
    void anInterruptedWaitStillWaitsForTheResultAndKeepsTheFlag() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> f = pool.submit(() -> {
            release.await();
            return "written";
        });
        Thread.currentThread().interrupt();
        Thread opener = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            release.countDown();
        });
        opener.start();
        assertEquals("written", WriterThreads.await(f, "test write"));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        opener.join();
    }

    @Test
    void theTasksExceptionIsThrownAsItWas() {
        IOException io = new IOException("disk full");
        assertSame(io, assertThrows(IOException.class,
            () -> WriterThreads.await(pool.submit(() -> { throw io; }), "test write")));
        IllegalStateException ise = new IllegalStateException("bug");
        assertSame(ise, assertThrows(IllegalStateException.class,
            () -> WriterThreads.await(pool.submit(() -> { throw ise; }), "test write")));
        Exception other = new Exception("checked");
        IOException wrapped = assertThrows(IOException.class,
            () -> WriterThreads.await(pool.submit(() -> { throw other; }), "test write"));
        assertEquals("test write failed", wrapped.getMessage());
        assertSame(other, wrapped.getCause());
    }

    @Test
    void threadsAreDaemonsWithTheGivenName() throws Exception {
        Thread t = WriterThreads.await(pool.submit(Thread::currentThread), "test");
        assertEquals("writer-threads-test", t.getName());
        assertTrue(t.isDaemon());
    }
}
