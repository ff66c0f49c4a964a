package afsdr.rx.rpc;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxCallHandler;
import afsdr.rx.RxClientConnection;
import afsdr.rx.RxConnectionInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link RxClientConnection} whose calls are served in the same JVM by an
 * {@link RxCallHandler} on a thread of their own, with the stream semantics of {@link RxCall}:
 * the client's first read ends the request, a handler returning normally ends the reply, a
 * thrown {@link RxCallException} or {@link RxCall#abort} aborts both sides with its code.
 *
 * <p>For unit tests of RPC code without sockets. Each direction buffers at most
 * {@value #PIPE_CAPACITY} bytes, so a writer blocks like one facing a full Rx window. A handler
 * failing with anything but {@link RxCallException} aborts the call with
 * {@code RX_INVALID_OPERATION} (-2).
 */
public final class InProcessConnection implements RxClientConnection {
    /** Bytes one direction holds before its writer blocks. */
    public static final int PIPE_CAPACITY = 1 << 18;
    static final int RX_INVALID_OPERATION = -2;
    private static final System.Logger LOG = System.getLogger(InProcessConnection.class.getName());

    private final RxCallHandler handler;
    private final Info info;
    private final AtomicInteger callNumber = new AtomicInteger();

    /** The epoch of connections that name none: one per JVM, like one client process's. */
    public static final int DEFAULT_EPOCH = 0x5eed0001;

    private record Info(InetSocketAddress peer, int epoch, int securityIndex, int serviceId, Object securityIdentity)
            implements RxConnectionInfo {
    }

    /**
     * @param handler         serves the calls
     * @param serviceId       reported by {@link #serviceId()} on both sides
     * @param securityIdentity what the handler sees as the caller's identity ({@code null} = rxnull)
     */
    public InProcessConnection(RxCallHandler handler, int serviceId, Object securityIdentity) {
        this(handler, serviceId, securityIdentity, new InetSocketAddress("127.0.0.1", 7000 + serviceId));
    }

    /**
     * As {@link #InProcessConnection(RxCallHandler, int, Object)}, with the peer address the handler
     * sees: tests that play several client processes give each its own port.
     */
    public InProcessConnection(RxCallHandler handler, int serviceId, Object securityIdentity, InetSocketAddress peer) {
        this(handler, serviceId, securityIdentity, peer, DEFAULT_EPOCH);
    }

    /**
     * As {@link #InProcessConnection(RxCallHandler, int, Object, InetSocketAddress)}, with the Rx
     * epoch the handler sees: two client processes that got the same port differ in their epochs.
     */
    public InProcessConnection(RxCallHandler handler, int serviceId, Object securityIdentity, InetSocketAddress peer,
            int epoch) {
        this.handler = handler;
        this.info = new Info(peer, epoch, securityIdentity == null ? 0 : 2, serviceId, securityIdentity);
    }

    @Override
    public InetSocketAddress peer() {
        return info.peer();
    }

    @Override
    public int epoch() {
        return info.epoch();
    }

    @Override
    public int securityIndex() {
        return info.securityIndex();
    }

    @Override
    public int serviceId() {
        return info.serviceId();
    }

    @Override
    public Object securityIdentity() {
        return info.securityIdentity();
    }

    @Override
    public void setDeadTimeSeconds(int seconds) {
    }

    @Override
    public void close() {
    }

    @Override
    public RxCall newCall() {
        Shared sh = new Shared();
        ClientCall client = new ClientCall(sh);
        Thread t = new Thread(() -> serve(sh), "in-process-rx-call-" + callNumber.incrementAndGet());
        sh.server = t;
        t.setDaemon(true);
        t.start();
        return client;
    }

    private void serve(Shared sh) {
        ServerCall call = new ServerCall(sh);
        try {
            handler.handle(call);
            sh.reply.close();
        } catch (RxCallException e) {
            sh.abort(e.code());
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "in-process call handler failed", e);
            sh.abort(RX_INVALID_OPERATION);
        }
    }

    @Override
    public void endCall(RxCall call) throws RxCallException, InterruptedException {
        Shared sh = ((ClientCall) call).sh;
        sh.request.close();
        try {
            InputStream in = call.input();
            byte[] sink = new byte[8192];
            while (in.read(sink) >= 0) {
                // discard what the caller left unread
            }
        } catch (RxCallException e) {
            sh.server.join();
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        sh.server.join();
        sh.checkAborted();
    }

    /** State shared by the two ends of one call. */
    private static final class Shared {
        final Pipe request = new Pipe(this);
        final Pipe reply = new Pipe(this);
        int abortCode;
        boolean aborted;
        Thread server;

        synchronized void abort(int code) {
            if (!aborted) {
                aborted = true;
                abortCode = code;
            }
            notifyAll();
        }

        synchronized void checkAborted() throws RxCallException {
            if (aborted) {
                throw new RxCallException(abortCode, "call aborted");
            }
        }
    }

    /** One direction of a call: a bounded byte queue, closed by its writer's end of data. */
    private static final class Pipe {
        private final Shared sh;
        private final byte[] ring = new byte[PIPE_CAPACITY];
        private int head;
        private int count;
        private boolean closed;

        Pipe(Shared sh) {
            this.sh = sh;
        }

        void close() {
            synchronized (sh) {
                closed = true;
                sh.notifyAll();
            }
        }

        void write(byte[] b, int off, int len) throws IOException {
            synchronized (sh) {
                while (len > 0) {
                    sh.checkAborted();
                    if (closed) {
                        throw new IOException("direction already ended");
                    }
                    if (count == ring.length) {
                        waitOn();
                        continue;
                    }
                    int tail = (head + count) % ring.length;
                    int n = Math.min(len, Math.min(ring.length - count, ring.length - tail));
                    System.arraycopy(b, off, ring, tail, n);
                    count += n;
                    off += n;
                    len -= n;
                    sh.notifyAll();
                }
            }
        }

        int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            synchronized (sh) {
                while (true) {
                    sh.checkAborted();
                    if (count > 0) {
                        int n = Math.min(len, Math.min(count, ring.length - head));
                        System.arraycopy(ring, head, b, off, n);
                        head = (head + n) % ring.length;
                        count -= n;
                        sh.notifyAll();
                        return n;
                    }
                    if (closed) {
                        return -1;
                    }
                    waitOn();
                }
            }
        }

        private void waitOn() throws IOException {
            try {
                sh.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RxCallException(-1, "interrupted", e);
            }
        }
    }

    private abstract static class End implements RxCall {
        final Shared sh;
        private final InputStream in;
        private final OutputStream out;

        End(Shared sh, Pipe from, Pipe to) {
            this.sh = sh;
            this.in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    beforeRead();
                    return from.read(b, off, len);
                }
            };
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    to.write(b, off, len);
                }
            };
        }

        void beforeRead() {
        }

        @Override
        public InputStream input() {
            return in;
        }

        @Override
        public OutputStream output() {
            return out;
        }

        @Override
        public void abort(int code) {
            sh.abort(code);
        }
    }

    private final class ClientCall extends End {
        ClientCall(Shared sh) {
            super(sh, sh.reply, sh.request);
        }

        @Override
        void beforeRead() {
            sh.request.close();
        }

        @Override
        public RxConnectionInfo connection() {
            return info;
        }
    }

    private final class ServerCall extends End {
        ServerCall(Shared sh) {
            super(sh, sh.request, sh.reply);
        }

        @Override
        public RxConnectionInfo connection() {
            return info;
        }
    }
}
