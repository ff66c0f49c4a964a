package afsdr.rx.netty;

import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxConnectionInfo;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.proto.RxCallState;
import afsdr.rx.proto.RxConnection;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * {@link RxCall} over an {@link RxCallState}: the byte streams of rx_Read/rx_Write. Bytes are
 * copied once each way: from the application's array into a pooled direct packet buffer (which
 * then goes to the socket as is), and from the received datagram into the application's array.
 */
final class NettyRxCall implements RxCall {
    /** Most bytes copied to the reader per hold of the call's lock. */
    private static final int READ_SLICE = 32 * 1024;
    /**
     * Most packets a sleeping reader waits for before it is woken (~45 KiB of 1412-byte
     * packets): fewer wake-ups of the reader, while the receive buffer (256 packets) keeps the
     * peer sending meanwhile.
     */
    private static final int WAKE_PACKETS = 32;
    private final RxEndpoint endpoint;
    final RxCallState st;
    private final Info info;
    private final In in = new In();
    private final Out out = new Out();
    /** The packet being filled; owned by the application thread. */
    private ByteBuf cur;
    private int curHeadroom;
    private int curCapacity;
    /**
     * Sizes for the next packet, read under the call's lock when the previous one was queued (0:
     * not known yet), so that starting a packet takes no lock: the event loop holds that lock
     * for every packet and ack of the call, and the writer took it three times per packet.
     */
    private int nextHeadroom;
    private int nextCapacity;
    private int nextTailroom;
    /** This writer queued the last packet of its direction (only this thread queues). */
    private boolean queuedLast;

    private NettyRxCall(RxEndpoint endpoint, RxCallState st) {
        this.endpoint = endpoint;
        this.st = st;
        this.info = new Info(st.connection());
    }

    /** The call object of a state, made on first use. */
    static NettyRxCall attach(RxEndpoint endpoint, RxCallState st) {
        synchronized (st) {
            if (st.attachment == null) {
                st.attachment = new NettyRxCall(endpoint, st);
            }
            return (NettyRxCall) st.attachment;
        }
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
    public RxConnectionInfo connection() {
        return info;
    }

    @Override
    public void abort(int code) {
        boolean send;
        synchronized (st) {
            send = st.error() == 0;
            if (send) {
                st.failLocally(code);
            }
        }
        releaseCurrent();
        if (send) {
            endpoint.requestAbort(st);
            wakeChannelWaiters();
        }
    }

    private void wakeChannelWaiters() {
        if (st.isClient() && st.connection().attachment instanceof NettyClientConnection c) {
            c.channelFreed();
        }
    }

    private void releaseCurrent() {
        ByteBuf b = cur;
        cur = null;
        if (b != null) {
            b.release();
        }
    }

    private RxCallException failure() {
        int code = st.error();
        return new RxCallException(code, describe(code) + " on " + st.connection() + " call " + st.callNumber());
    }

    private static String describe(int code) {
        switch (code) {
            case RxConstants.RX_CALL_DEAD: return "call dead (peer silent or channel reused)";
            case RxConstants.RX_CALL_TIMEOUT: return "call timed out";
            case RxConstants.RX_PROTOCOL_ERROR: return "protocol error";
            case RxConstants.RX_INVALID_OPERATION: return "invalid operation";
            default: return "call aborted";
        }
    }

    // ------------------------------------------------------------------ sending

    private void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (cur == null) {
                newPacket();
            }
            int used = cur.writerIndex() - curHeadroom;
            int n = Math.min(len, curCapacity - used);
            cur.writeBytes(b, off, n);
            off += n;
            len -= n;
            if (used + n == curCapacity) {
                queue(false);
            }
        }
    }

    private void newPacket() throws IOException {
        if (queuedLast) {
            throw new RxCallException(RxConstants.RX_PROTOCOL_ERROR, "write after the last packet of " + st);
        }
        if (nextCapacity == 0) {
            synchronized (st) {
                if (st.error() != 0) {
                    throw failure();
                }
                takeNextSizes();
            }
        }
        // a failure that happens meanwhile shows at the latest when this packet is queued
        curHeadroom = nextHeadroom;
        curCapacity = nextCapacity;
        cur = endpoint.alloc().directBuffer(curHeadroom + curCapacity + nextTailroom);
        cur.writerIndex(curHeadroom);
    }

    /** Reads the packet sizes for the next packet (caller holds the call's lock). */
    private void takeNextSizes() {
        nextHeadroom = st.packetHeadroom();
        nextCapacity = st.userCapacity();
        nextTailroom = st.packetTailroom();
    }

    /** Hands the current packet to the call, blocking while the send queue is full. */
    private void queue(boolean last) throws IOException {
        if (cur == null) {
            newPacket();
        }
        ByteBuf b = cur;
        cur = null;
        int userLength = b.writerIndex() - curHeadroom;
        boolean pump;
        synchronized (st) {
            while (!st.canQueueSend()) {
                awaitChange();
            }
            if (st.error() != 0) {
                b.release();
                throw failure();
            }
            st.queueSend(b, userLength, last);
            queuedLast = last;
            takeNextSizes();
            // while the window is full the acks that open it run the transmission on the event
            // loop; a task per packet then only cost a hand-off (and often a wake-up system call)
            pump = !st.pumpTaskQueued && st.canTransmit();
            if (pump) {
                st.pumpTaskQueued = true;
            }
        }
        if (pump) {
            endpoint.schedulePump(st);
        }
    }

    /** Waits on the call's monitor (caller holds it). */
    private void awaitChange() throws InterruptedIOException {
        st.waiters++;
        try {
            st.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting on " + st);
        } finally {
            st.waiters--;
        }
    }

    /** Client: ends the request direction (first read or endCall). */
    void finishRequest() throws IOException {
        boolean done;
        synchronized (st) {
            done = st.sendQueuedLast() || st.error() != 0;
        }
        if (!done) {
            queue(true);
            synchronized (st) {
                st.clientRequestDone();
            }
        }
    }

    /** Server: the handler returned normally; the reply ends with LAST_PACKET (maybe empty). */
    void endServerCall() throws IOException {
        boolean done;
        synchronized (st) {
            if (st.error() != 0) {
                releaseCurrent();
                return;
            }
            done = st.sendQueuedLast();
        }
        if (!done) {
            queue(true);
        }
        synchronized (st) {
            st.serverReplyQueued();
        }
    }

    // ------------------------------------------------------------------ receiving

    private int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (st.isClient()) {
            finishRequest();
        }
        boolean ack;
        int n;
        synchronized (st) {
            while (true) {
                n = st.readAvailable(b, off, Math.min(len, READ_SLICE), System.nanoTime());
                if (n > 0) {
                    break;
                }
                if (st.error() != 0) {
                    throw failure();
                }
                if (st.inputEnded()) {
                    n = -1;
                    break;
                }
                if (st.takeAckDue()) {
                    // zero-length packets were consumed: their ack must not wait for our wake-up
                    endpoint.requestAck(st);
                }
                // sleep until a batch worth the wake-up is there (or the direction's end)
                st.readerWantPackets = Math.max(1, Math.min(WAKE_PACKETS, len / RxConstants.RX_JUMBOBUFFERSIZE));
                awaitChange();
            }
            ack = st.takeAckDue();
        }
        // the rest in slices, each under the lock on its own: the event loop needs this lock for
        // every packet of the call, and a reader preempted in the middle of one long copy would
        // hold it up for a whole time slice
        while (n > 0 && n < len) {
            int m;
            synchronized (st) {
                m = st.readAvailable(b, off + n, Math.min(len - n, READ_SLICE), System.nanoTime());
                ack |= st.takeAckDue();
            }
            if (m <= 0) {
                break;
            }
            n += m;
        }
        if (ack) {
            endpoint.requestAck(st);
        }
        return n;
    }

    /** Client: reads and drops what is left of the reply, then waits for its end. */
    void drain() throws IOException {
        byte[] sink = new byte[8192];
        while (read(sink, 0, sink.length) >= 0) {
            // discard
        }
    }

    private final class In extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = NettyRxCall.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            return NettyRxCall.this.read(b, off, len);
        }

        @Override
        public int available() {
            synchronized (st) {
                return st.readableBytes();
            }
        }
    }

    private final class Out extends OutputStream {
        /** DataOutputStream writes its ints and longs byte by byte through here: no array each time. */
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            NettyRxCall.this.write(one, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            NettyRxCall.this.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (cur != null && cur.writerIndex() > curHeadroom) {
                queue(false);
            }
        }
    }

    /** Connection facts for handlers. */
    private static final class Info implements RxConnectionInfo {
        private final RxConnection c;

        Info(RxConnection c) {
            this.c = c;
        }

        @Override
        public InetSocketAddress peer() {
            return c.peerAddress();
        }

        @Override
        public int epoch() {
            return c.epoch();
        }

        @Override
        public int securityIndex() {
            return c.securityIndex();
        }

        @Override
        public int serviceId() {
            return c.serviceId();
        }

        @Override
        public Object securityIdentity() {
            return c.identity();
        }
    }

    @Override
    public String toString() {
        return "RxCall[" + st + "]";
    }
}
