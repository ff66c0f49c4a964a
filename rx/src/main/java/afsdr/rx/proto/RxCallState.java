package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;

import afsdr.rx.packet.RxAck;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.packet.RxPacketEncoder;
import afsdr.rx.security.PacketSecurity;
import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.ByteBuf;

/**
 * The protocol state of one call on one channel, either side (rx.md §6–§10). Pure: no clock, no
 * socket, no thread; time comes in as {@code now} (nanoseconds, any origin), packets go out
 * through {@link RxOutput}.
 *
 * <p>Locking: the event loop and the one application thread of the call both use this object,
 * always while holding its monitor; methods marked "app side" are the ones the streams call,
 * the others run on the event loop. App threads wait on the monitor ({@link #waiters} tells the
 * event loop whether to notify).
 *
 * <p>Send side: packets are numbered from 1; {@code tfirst} is the lowest seq the peer has not
 * hard-acked, {@code tsent} the next never-sent seq, {@code tqueued} the next seq the writer will
 * fill. {@code inflight} counts packets sent and neither acked nor judged lost ("pipe"
 * accounting): new or retransmitted packets go out while {@code inflight < cwind} and
 * {@code seq < tfirst + peer rwind}.
 *
 * <p>Receive side: {@code rnext} is the next seq the application will consume; {@code racked}
 * is the firstPacket of our acks: every packet below it is hard-acked, i.e. the peer may forget
 * it. Packets that arrived in sequence are hard-acked on arrival while at most
 * {@link #RECEIVE_BUFFER} of them wait for the application, so the peer's window opens as the
 * network delivers, not as our reader gets round to reading (see {@link #RECEIVE_BUFFER}).
 * Packets up to {@code racked + maxWindow} are queued by seq.
 */
public final class RxCallState {
    static final long NEVER = Long.MAX_VALUE;
    /**
     * Smallest congestion window after a fast-retransmit loss event, and the slow-start threshold
     * an RTO leaves at least (the window itself restarts at 4): the window a stock peer runs with
     * (RX_STOCK_MAX_WINDOW). On the paths Rx serves (loopback, LAN, a DR link) most isolated
     * losses are noise, not a queue overflowing; with a floor of 16, 5 % random loss held a 1 ms
     * path at 16 packets per RTT (22 MB/s in the simulation of RxLossRecoveryTest), with 32 it
     * doubles. A real overload loses whole bursts, and the timeout that follows still restarts
     * the window small.
     */
    static final int LOSS_FLOOR = RX_STOCK_MAX_WINDOW;
    private static final int SERIAL_RING = 1024;
    /**
     * Received, in-sequence packets that may wait for the application and still be hard-acked
     * (reported below the ack's firstPacket). OpenAFS hard-acks a packet only when its reader
     * consumes it, so a sender's window (32 packets for a stock sender) also spans whatever sits
     * in our queue: every window advance then waits for our reader thread to wake, read and hand
     * an ack back to the event loop. A packet in our queue is as safe as a consumed one (the call
     * holds it until it is read or the call ends), so we take responsibility for up to this many
     * on arrival; the peer's window then runs ahead of our reader by at most this much more (a
     * bounded queue: 256 packets, ~360 KiB per call with 1444-byte packets), and consumption
     * acks are needed only while the buffer is full.
     */
    static final int RECEIVE_BUFFER = 256;
    /**
     * Packets of a direction the reader must have consumed before {@link #RECEIVE_BUFFER} applies;
     * until then packets are hard-acked as they are consumed, as OpenAFS does. A handler that
     * refuses a stream at its first bytes (a damaged dump header) then aborts while the peer is
     * still held back by its window, and stock vos reports that as it does against the stock
     * server ("Could not transmit data"); with the buffer from the first packet, vos had sent a
     * small dump completely before the abort arrived and reported it at rx_EndCall instead.
     * Calls of a few packets (every RPC but the bulk ones) never reach the buffer.
     */
    static final int EARLY_ACK_AFTER = 64;
    /** Within one read batch, an immediate ack goes out at least every this many DATA packets. */
    static final int ACK_BATCH_SPLIT = 8;
    /**
     * Packets between our acks, on arrival and on consumption, when the sender is a peer like us,
     * known by jumbograms of more than RX_MAX_DGRAM_PACKETS packets (which it sends on this host
     * only). Such a sender runs a window of up to 255 packets, so an ack every 22 packets still
     * gives it ten per window (22: two full 11-packet jumbograms; with acks on arrival, the
     * window a sender gets back per ack is what it fills next, and 24 left a 2-packet runt
     * jumbogram after every pair in the simulation), where the stock rates (an ack every 2-3 packets, or every 8 in a
     * read batch) cost both ends a datagram, a system call and an ack decode per 8 packets
     * (100 000 ACKs per GiB). It asks for an ack while its window is smaller than this allows
     * ({@link #SPARSE_ACK_WINDOW}); a stock sender does not, so it keeps the stock rates.
     */
    static final int JUMBO_ACK_EVERY = 22;
    /**
     * Below this congestion window the sender asks for an ack at the end of every burst that
     * fills the window: a receiver acking every {@link #JUMBO_ACK_EVERY} packets would otherwise
     * leave a small window waiting for its delayed ack.
     */
    static final int SPARSE_ACK_WINDOW = 2 * JUMBO_ACK_EVERY;

    final RxConnection conn;
    final int channel;
    final int callNumber;
    final boolean client;
    private final RxConfig config;

    int state;
    int mode;
    int error;
    /** Whether we already sent our ABORT (re-sent on later DATA, never in answer to an ABORT). */
    boolean aborted;
    /** App threads blocked on this monitor. */
    public int waiters;
    /**
     * Set by a reader before it sleeps: in-sequence packets to wait for before it is woken
     * (fewer when the last packet of the direction arrives first). 1 wakes it for any packet.
     */
    public int readerWantPackets = 1;
    /** For the I/O layer: an ack task is already queued for the event loop. */
    public boolean ackTaskQueued;
    /** For the I/O layer: a transmit task is already queued for the event loop. */
    public boolean pumpTaskQueued;
    /** For the I/O layer: whatever it hangs on the call (the RxCall implementation). */
    public Object attachment;

    // ---- send side
    private final SendPacket[] tq;
    private final int tmask;
    int tfirst = 1;
    int tsent = 1;
    int tqueued = 1;
    boolean lastQueued;
    int inflight;
    /**
     * Packets in [tfirst, tsent) marked lost and not yet sent again. Kept as a count so that the
     * common case, nothing lost, costs no walk over the whole window on every ack and every
     * transmission (with a 255-packet window that walk was the largest cost of pump()).
     */
    private int lostCount;
    int cwind;
    int ssthresh;
    private int caCount;
    private int recoveryPoint;
    private int rtoBackoff;
    /**
     * Spurious-timeout detection (after RFC 3522, Eifel, using Rx serials instead of
     * timestamps): the newest serial sent before the last RTO and the windows it replaced. An ack
     * that echoes a serial up to {@code rtoSerial} was provoked by a transmission from before the
     * timeout, so the flight was only late (a stalled thread or event loop), not lost.
     */
    private boolean rtoUndoArmed;
    private int rtoSerial;
    private int undoCwind;
    private int undoSsthresh;
    long rtoDeadline = NEVER;
    /** Tail-loss probe: resend the newest unacked packet if the flight goes silent this long. */
    long probeDeadline = NEVER;
    private final int[] serialSent = new int[SERIAL_RING];
    private final long[] serialTime = new long[SERIAL_RING];
    private int sendQueueLimit;

    // ---- receive side
    private final ByteBuf[] rq;
    /** Header checksum of each queued packet whose security check waits for authentication. */
    private final int[] rqSpare;
    /** Where each queued packet's unread user bytes start in its datagram, and how many remain. */
    private final int[] rqOff;
    private final int[] rqLen;
    /** Set when consumption made an ack due; taken by {@link #takeAckDue()}. */
    private boolean ackDue;
    /** Packets the reader finished, waiting for the event loop to release them. */
    private ByteBuf[] consumed = new ByteBuf[16];
    private int consumedCount;
    /** Whether queued packets are raw bodies still to be checked (PRECALL before authentication). */
    boolean rqUnchecked;
    private final int rmask;
    int rnext = 1;
    /** First seq not hard-acked: rnext <= racked <= rmax + 1, every packet in [rnext, racked) queued. */
    int racked = 1;
    int rmax;
    int rprev;
    int rlast;
    private boolean discardInput;
    private int pendingAckReason;
    private int pendingAckSerial;
    private boolean ackNow;
    boolean inAckQueue;
    long delayedAckDeadline = NEVER;
    private int unackedArrivals;
    /** DATA packets (any) that arrived since our last ack went out. */
    private int arrivalsSinceAck;
    private int hardAcks;
    private int lastReceivedSerial;
    /** The peer sent this call's data in jumbograms larger than stock's: a sender like us, acked sparsely. */
    private boolean jumboSender;
    /**
     * Every packet up to this seq arrived (consumed or queued); a hole lies above it if rmax is
     * higher. Not {@link #racked}: that one stops at rnext + RECEIVE_BUFFER and stays at rnext
     * before authentication and for the first packets, while this one must reach rmax.
     */
    private int rcontig;

    // ---- liveness
    long lastReceiveNanos;
    long lastSendNanos;
    private long lastDataReceiveNanos;
    long nextPingNanos = NEVER;

    RxCallState(RxConnection conn, int channel, int callNumber, boolean client, long now) {
        this.conn = conn;
        this.channel = channel;
        this.callNumber = callNumber;
        this.client = client;
        this.config = conn.config;
        int tcap = Integer.highestOneBit(Math.max(4 * config.maxWindow(), 8) - 1) << 1;
        this.tq = new SendPacket[tcap];
        this.tmask = tcap - 1;
        int rcap = Integer.highestOneBit(Math.max(config.maxWindow() + RECEIVE_BUFFER + 1, 4) - 1) << 1;
        this.rq = new ByteBuf[rcap];
        this.rqSpare = new int[rcap];
        this.rqOff = new int[rcap];
        this.rqLen = new int[rcap];
        this.rmask = rcap - 1;
        this.cwind = Math.max(1, conn.peer.cwind);
        this.ssthresh = conn.peer.ssthresh;
        this.sendQueueLimit = 2 * config.maxWindow();
        this.state = RX_STATE_ACTIVE;
        this.mode = client ? RX_MODE_SENDING : RX_MODE_RECEIVING;
        this.lastReceiveNanos = now;
        this.lastSendNanos = now;
        this.lastDataReceiveNanos = now;
        this.nextPingNanos = now + conn.pingIntervalNanos();
    }

    /** One queued outgoing DATA packet. {@code buf} holds header room + body; it owns one reference. */
    static final class SendPacket {
        ByteBuf buf;
        int seq;
        int userLength;
        /** Body length after security preparation; -1 until the first transmission. */
        int bodyLength = -1;
        boolean last;
        int checksum;
        boolean acked;
        boolean lost;
        int transmissions;
        int lastSerial;
        long lastSentNanos;
    }

    // ------------------------------------------------------------------ app side

    public RxConnection connection() {
        return conn;
    }

    public int channel() {
        return channel;
    }

    public int callNumber() {
        return callNumber;
    }

    public boolean isClient() {
        return client;
    }

    public int state() {
        return state;
    }

    public int mode() {
        return mode;
    }

    /** 0, or the code this call failed with. */
    public int error() {
        return error;
    }

    /** Bytes a new outgoing packet buffer must reserve in front of the user data. */
    public int packetHeadroom() {
        return RX_HEADER_SIZE + conn.security().headerSize();
    }

    /** Bytes after the user data a new packet buffer must leave for the security trailer. */
    public int packetTailroom() {
        return conn.security().maxTrailerSize();
    }

    /**
     * User bytes per packet (rx_MaxUserDataSize): the peer's MTU less the Rx header and the
     * security overhead; with jumbograms every packet is cut to the jumbogram member size so
     * any run of full packets can share a datagram.
     */
    public int userCapacity() {
        PacketSecurity s = conn.security();
        int body;
        if (config.jumbo()) {
            body = RX_JUMBOBUFFERSIZE;
        } else {
            body = conn.peer.sendMtu() - RX_HEADER_SIZE;
        }
        return body - s.headerSize() - s.maxTrailerSize();
    }

    /** App side: whether the writer may queue another packet now (else it waits). */
    public boolean canQueueSend() {
        return error != 0 || tqueued - tfirst < sendQueueLimit;
    }

    /**
     * App side: queues a filled packet. {@code buf} has {@link #packetHeadroom()} bytes of room
     * in front of {@code userLength} user bytes and its writer index after them; the call takes
     * the reference. Returns false (and releases {@code buf}) if the call has failed.
     */
    public boolean queueSend(ByteBuf buf, int userLength, boolean last) {
        if (error != 0 || lastQueued) {
            buf.release();
            return false;
        }
        SendPacket p = new SendPacket();
        p.buf = buf;
        p.seq = tqueued;
        p.userLength = userLength;
        p.last = last;
        tq[tqueued & tmask] = p;
        tqueued++;
        if (last) {
            lastQueued = true;
        }
        if (!client && mode == RX_MODE_RECEIVING) {
            // the server's first write turns the call around; unread request data is dropped
            // (rxi_WriteProc) but later request packets are still acknowledged
            mode = RX_MODE_SENDING;
            discardInput = true;
            dropReceiveQueue();
        }
        return true;
    }

    /**
     * App side: whether {@link #pump} would transmit something now: packets wait (new ones, or
     * lost ones to resend) and the windows have room. When they have none, the acks that make
     * room run the transmission themselves.
     */
    public boolean canTransmit() {
        if (error != 0 || inflight >= cwind) {
            return false;
        }
        return lostCount > 0 || tsent < tqueued && tsent < tfirst + Math.max(1, Math.min(conn.peer.rwind, config.maxWindow()));
    }

    /** App side: whether the whole outgoing direction has been queued. */
    public boolean sendQueuedLast() {
        return lastQueued;
    }

    /** App side: after the client queued its last request packet the call waits for the reply. */
    public void clientRequestDone() {
        if (client && mode == RX_MODE_SENDING && error == 0) {
            mode = RX_MODE_RECEIVING;
        }
    }

    /**
     * App side: copies up to {@code len} in-order user bytes into {@code b}; returns how many
     * (0 when nothing is readable now). Packets read completely are released and counted as
     * hard acks (rx.md §8.2); when that makes an ack due, {@link #takeAckDue()} says so.
     */
    public int readAvailable(byte[] b, int off, int len, long now) {
        if (discardInput) {
            return 0;
        }
        int copied = 0;
        while (copied < len) {
            int slot = rnext & rmask;
            ByteBuf buf = rq[slot];
            if (buf == null) {
                break;
            }
            int n = Math.min(len - copied, rqLen[slot]);
            if (n > 0) {
                buf.getBytes(rqOff[slot], b, off + copied, n);
                rqOff[slot] += n;
                rqLen[slot] -= n;
                copied += n;
            }
            if (rqLen[slot] == 0) {
                consumeHead(now);
            }
        }
        return copied;
    }

    /** App side: user bytes readable right now without waiting. */
    public int readableBytes() {
        int total = 0;
        for (int seq = rnext; seq <= rmax && rq[seq & rmask] != null; seq++) {
            total += rqLen[seq & rmask];
        }
        return total;
    }

    /** App side: whether consumption made an ack due since the last call (clears the flag). */
    public boolean takeAckDue() {
        boolean d = ackDue;
        ackDue = false;
        return d;
    }

    private void consumeHead(long now) {
        int slot = rnext & rmask;
        // released later by the event loop: received packets share the reference count of
        // their receive batch buffer, which the event loop keeps changing; releasing here, on
        // the reader's thread, made that count's cache line bounce between the cores
        if (consumedCount == consumed.length) {
            consumed = java.util.Arrays.copyOf(consumed, consumed.length * 2);
        }
        consumed[consumedCount++] = rq[slot];
        rq[slot] = null;
        rnext++;
        int acked = racked;
        advanceAcked();
        // only packets that consumption itself hard-acks need an ack now: those hard-acked on
        // arrival were reported (or are due) with the arrival acks
        hardAcks += racked - acked;
        if (rlast != 0 && rnext > rlast) {
            if (client) {
                mode = RX_MODE_EOF;
                // whole reply consumed: the ack of its last packet lets the server's call leave
                // HOLD, so do not leave it to the hard-ack threshold or a delayed ack (the
                // event loop also releases the consumed packets when it sends it)
                ackDue = true;
            } else if (hardAcks > 0) {
                // whole request consumed: as in OpenAFS the ack may wait; the reply's first
                // packet acknowledges the request and cancels it (an ack sent here went out
                // just ahead of every reply, a packet the client had to read for nothing)
                if (delayedAckDeadline == NEVER) {
                    delayedAckDeadline = now + config.softAckDelayNanos();
                }
            }
        } else if (hardAcks > (sparseAcks() ? JUMBO_ACK_EVERY : config.hardAckRate())) {
            ackDue = true;
        } else if (hardAcks > 0 && delayedAckDeadline == NEVER) {
            delayedAckDeadline = now + config.softAckDelayNanos();
        }
    }

    /**
     * Moves {@link #racked} over the packets that arrived in sequence, while at most
     * {@link #RECEIVE_BUFFER} wait for the reader. Packets queued before authentication are
     * not hard-acked until their security check has run ({@link #verifyQueued}).
     */
    private void advanceAcked() {
        if (racked < rnext) {
            racked = rnext;
        }
        if (rqUnchecked || rnext <= EARLY_ACK_AFTER) {
            return;
        }
        int limit = rnext + RECEIVE_BUFFER;
        while (racked < limit && racked <= rmax && rq[racked & rmask] != null) {
            racked++;
        }
    }

    /** App side: every packet of the peer's direction was consumed. */
    public boolean inputEnded() {
        return rlast != 0 && rnext > rlast;
    }

    /** Whether the outgoing direction is complete: last packet queued and all acknowledged. */
    public boolean sendComplete() {
        return lastQueued && tfirst >= tqueued;
    }

    /** Whether this call is over for the application (ended, failed or the server's reply acked). */
    public boolean finished() {
        return error != 0 || state == RX_STATE_DALLY || state == RX_STATE_RESET;
    }

    // ---------------------------------------------------------------- event loop side

    /**
     * Handles a DATA packet of this call whose user bytes are {@code datagram[off, off + len)};
     * takes ownership of one reference to {@code datagram}.
     */
    void onData(RxHeader h, ByteBuf datagram, int off, int len, int datagramPackets, long now, RxOutput out) {
        ByteBuf userData = datagram;
        releaseConsumed();
        lastReceiveNanos = now;
        lastDataReceiveNanos = now;
        lastReceivedSerial = h.serial;
        arrivalsSinceAck++;
        conn.stats.dataPacketsRead++;
        if (error != 0) {
            userData.release();
            sendAbortPacket(now, out);
            return;
        }
        if (client && tfirst < tqueued && lastQueued) {
            // reply data implicitly acknowledges the whole request (rxi_AckAllInTransmitQueue)
            ackAllSent(now, out);
        }
        int seq = h.seq;
        rprev = seq;
        if (datagramPackets > RX_MAX_DGRAM_PACKETS) {
            // more packets in one datagram than stock OpenAFS ever sends: a sender like us,
            // which asks for the acks a small window needs (a stock sender does not)
            jumboSender = true;
        }
        if (seq < rnext || seq <= 0) {
            userData.release();
            conn.stats.dupPacketsRead++;
            requestAck(RX_ACK_DUPLICATE, h.serial, true);
            queueAck(now, out);
            return;
        }
        if (seq - racked >= config.maxWindow()) {
            userData.release();
            requestAck(RX_ACK_EXCEEDS_WINDOW, h.serial, true);
            queueAck(now, out);
            return;
        }
        if (rlast != 0 && seq > rlast) {
            // beyond the packet the peer called last: a confused or hostile peer
            userData.release();
            conn.stats.spuriousPacketsRead++;
            return;
        }
        int slot = seq & rmask;
        if (rq[slot] != null) {
            userData.release();
            conn.stats.dupPacketsRead++;
            requestAck(RX_ACK_DUPLICATE, h.serial, true);
            queueAck(now, out);
            return;
        }
        boolean gapBefore = seq > rmax + 1;
        boolean fillsHole = seq < rmax;
        if ((h.flags & RX_LAST_PACKET) != 0) {
            if (rmax > seq) {
                userData.release();
                conn.stats.spuriousPacketsRead++;
                return;
            }
            rlast = seq;
        }
        rq[slot] = userData;
        rqOff[slot] = off;
        rqLen[slot] = len;
        rqSpare[slot] = h.spare;
        if (seq > rmax) {
            rmax = seq;
        }
        if (discardInput) {
            while (rq[rnext & rmask] != null) {
                rq[rnext & rmask].release();
                rq[rnext & rmask] = null;
                rnext++;
            }
        }
        advanceAcked();
        boolean readable = rq[rnext & rmask] != null;
        if (gapBefore || fillsHole) {
            requestAck(RX_ACK_OUT_OF_SEQUENCE, h.serial, true);
        } else if ((h.flags & RX_REQUEST_ACK) != 0) {
            requestAck(RX_ACK_REQUESTED, h.serial, true);
        } else if (++unackedArrivals > (sparseAcks() ? JUMBO_ACK_EVERY - 1 : config.softAckRate())) {
            requestAck(RX_ACK_IDLE, h.serial, true);
        } else {
            long delay = client && rlast != 0 && seq == rlast ? config.lastAckDelayNanos() : config.softAckDelayNanos();
            if (delayedAckDeadline == NEVER) {
                delayedAckDeadline = now + delay;
            }
            if (pendingAckReason == 0) {
                pendingAckSerial = h.serial;
            }
        }
        if (readable && readerWaitsNoLonger()) {
            out.wake(this);
        }
        queueAck(now, out);
    }

    /**
     * Whether a sleeping reader should be woken now that its next packet is queued: when as
     * many packets as it asked for ({@link #readerWantPackets}) lie in sequence, when the
     * direction's last packet is among them, or when the receive buffer is full. Waking it for
     * every packet or two cost both threads a context switch each (futex wake, schedule) for a
     * few KiB of work; the peer does not wait for our reader meanwhile, since in-sequence
     * packets are hard-acked on arrival ({@link #RECEIVE_BUFFER}). Before authentication, and
     * for the first {@link #EARLY_ACK_AFTER} packets, nothing is hard-acked early, so every
     * readable packet wakes the reader as it used to.
     */
    private boolean readerWaitsNoLonger() {
        // the full-buffer clause is not implied by the first: readerWantPackets is the I/O layer's
        // to set, and racked never passes rnext + RECEIVE_BUFFER, so a larger wish would never wake
        return rqUnchecked || rnext <= EARLY_ACK_AFTER || racked - rnext >= readerWantPackets
                || (rlast != 0 && racked > rlast) || racked - rnext >= RECEIVE_BUFFER;
    }

    /**
     * Whether acks may be sparse ({@link #JUMBO_ACK_EVERY}): the sender is a jumbogram sender and
     * nothing is missing. Once a packet is missing the stock rates apply again until the hole is
     * filled: the sender then needs every ack to find and repair its losses (acks every 24
     * packets halved the simulated rate at 20 % loss and multiplied its timeouts).
     */
    private boolean sparseAcks() {
        if (!jumboSender) {
            return false;
        }
        if (rcontig < rnext - 1) {
            rcontig = rnext - 1;
        }
        while (rcontig < rmax && rq[(rcontig + 1) & rmask] != null) {
            rcontig++;
        }
        return rcontig >= rmax;
    }

    /** Immediate acks wait for the end of the read batch when the engine batches, else go now. */
    private void queueAck(long now, RxOutput out) {
        if (!ackNow) {
            return;
        }
        if (conn.ackQueue == null || arrivalsSinceAck >= (sparseAcks() ? JUMBO_ACK_EVERY : ACK_BATCH_SPLIT)) {
            // a long read batch (a whole GSO burst arrives as one) gets an ack every few packets:
            // one ack per window means one lost ack silences the flight until a timeout
            flushPendingAck(now, out);
        } else if (!inAckQueue) {
            inAckQueue = true;
            conn.ackQueue.add(this);
        }
    }

    private void requestAck(int reason, int serial, boolean now) {
        if (pendingAckReason == 0 || reason == RX_ACK_OUT_OF_SEQUENCE || reason == RX_ACK_DUPLICATE) {
            pendingAckReason = reason;
        }
        // one ack answers a whole read batch: echo the newest serial, so the sender's RTT sample
        // and its loss detection (serial distance) see the latest packet we got
        if (serial - pendingAckSerial > 0 || pendingAckSerial == 0) {
            pendingAckSerial = serial;
        }
        if (now) {
            ackNow = true;
        }
    }

    /**
     * Sends the ack that arrivals asked for. The I/O layer calls this once per read batch, so a
     * burst of packets costs one ack (OpenAFS defers acks the same way inside a jumbogram).
     */
    public void flushPendingAck(long now, RxOutput out) {
        inAckQueue = false;
        if (ackNow && error == 0) {
            sendAck(pendingAckReason == 0 ? RX_ACK_IDLE : pendingAckReason, pendingAckSerial, false, now, out);
        }
    }

    /** Event loop: releases the packets the reader has finished with. */
    void releaseConsumed() {
        for (int i = 0; i < consumedCount; i++) {
            consumed[i].release();
            consumed[i] = null;
        }
        consumedCount = 0;
    }

    /** Event loop: the application consumed enough to warrant an ack (hard ack). */
    public void sendConsumptionAck(long now, RxOutput out) {
        releaseConsumed();
        if (error == 0 && hardAcks > 0) {
            sendAck(RX_ACK_DELAY, lastReceivedSerial, false, now, out);
        }
    }

    /** Builds and sends an ACK describing our receive queue (rx.md §7). */
    void sendAck(int reason, int serial, boolean ping, long now, RxOutput out) {
        int nAcks = Math.max(0, Math.min(RX_MAXACKS, rmax - racked + 1));
        byte[] acks = conn.ackScratch;
        for (int i = 0; i < nAcks; i++) {
            acks[i] = rq[(racked + i) & rmask] != null ? (byte) RX_ACK_TYPE_ACK : (byte) RX_ACK_TYPE_NACK;
        }
        RxHeader h = conn.header(callNumber, channel, 0, RX_PACKET_TYPE_ACK,
                RX_SLOW_START_OK | (ping ? RX_REQUEST_ACK : 0));
        ByteBuf b = out.alloc().directBuffer(RX_HEADER_SIZE + RxAck.encodedSize(nAcks));
        h.writeTo(b);
        RxAck.encode(b, racked, rprev, serial, reason, acks, nAcks, conn.peer.advertisedMaxMtu(), conn.peer.localMtu,
                config.maxWindow(), config.advertisedDgramPackets());
        conn.transmit(b, RX_PACKET_TYPE_ACK, out);
        conn.stats.ackPacketsSent++;
        if (ping) {
            conn.stats.pingPacketsSent++;
            lastSendNanos = now;
        }
        ackNow = false;
        pendingAckReason = 0;
        pendingAckSerial = 0;
        unackedArrivals = 0;
        arrivalsSinceAck = 0;
        hardAcks = 0;
        delayedAckDeadline = NEVER;
    }

    /** Handles an ACK for this call (rxi_ReceiveAckPacket, simplified; rx.md §7, §9). */
    void onAck(RxHeader h, RxAck ack, long now, RxOutput out) {
        lastReceiveNanos = now;
        if ((h.flags & RX_SLOW_START_OK) != 0) {
            conn.peer.slowStartOk = true;
        }
        if ((h.flags & RX_REQUEST_ACK) != 0) {
            // a ping, or a packet that wants an answer: PING_RESPONSE echoes its serial (§8.3)
            if (error != 0) {
                sendAbortPacket(now, out);
            } else {
                sendAck(RX_ACK_PING_RESPONSE, h.serial, false, now, out);
            }
        }
        if (error != 0) {
            return;
        }
        conn.peer.applyAckTrailer(ack);
        int first = ack.firstPacket();
        if (first < tfirst || first > tsent) {
            // stale (older than what we already know) or acking packets we never sent
            return;
        }
        // RTT from the serial the peer echoes: serials are unique per transmission, so there
        // is no retransmission ambiguity; delayed acks would inflate the estimate (rx.md §9)
        int s = ack.serial();
        if (s != 0 && ack.reason() != RX_ACK_DELAY && serialSent[s & (SERIAL_RING - 1)] == s) {
            long rtt = now - serialTime[s & (SERIAL_RING - 1)];
            serialSent[s & (SERIAL_RING - 1)] = 0;
            conn.peer.rttSample(rtt);
            conn.stats.rttSample(rtt);
        }
        boolean progress = false;
        int newlyAcked = 0;
        while (tfirst < first) {
            SendPacket p = tq[tfirst & tmask];
            tq[tfirst & tmask] = null;
            if (!p.acked) {
                if (p.lost) {
                    lostCount--;
                } else {
                    inflight--;
                }
                newlyAcked++;
            }
            p.buf.release();
            tfirst++;
            progress = true;
        }
        byte[] acks = ack.acks();
        int limit = Math.min(acks.length, tsent - first);
        int highestAcked = 0;
        for (int i = limit - 1; i >= 0; i--) {
            if (acks[i] == RX_ACK_TYPE_ACK) {
                highestAcked = first + i;
                break;
            }
        }
        int lostNow = 0;
        int laterAcked = 0;
        for (int i = limit - 1; i >= 0; i--) {
            SendPacket p = tq[(first + i) & tmask];
            if (acks[i] == RX_ACK_TYPE_ACK) {
                laterAcked++;
                if (!p.acked) {
                    p.acked = true;
                    if (p.lost) {
                        p.lost = false;
                        lostCount--;
                    } else {
                        inflight--;
                    }
                    newlyAcked++;
                    progress = true;
                }
            } else {
                if (p.acked) {
                    // the receiver dropped a packet it had soft-acked: send it again
                    p.acked = false;
                    p.lost = true;
                    lostCount++;
                    lostNow++;
                } else if (!p.lost && p.transmissions > 0 && p.seq < highestAcked
                        && isLost(p, ack, laterAcked, now)) {
                    p.lost = true;
                    lostCount++;
                    inflight--;
                    lostNow++;
                    conn.stats.dataPacketsPushed++;
                }
            }
        }
        if (rtoUndoArmed && s != 0) {
            rtoUndoArmed = false;
            if (rtoSerial - s >= 0 && progress) {
                undoSpuriousTimeout();
            }
        }
        if (ack.trailerWords() >= 3) {
            // twind follows the peer's rwind; it was already clamped in applyAckTrailer
            if (cwind > conn.peer.rwind) {
                cwind = Math.max(1, conn.peer.rwind);
            }
        }
        growWindow(newlyAcked);
        if (lostNow > 0) {
            int lowestLost = first;
            if (lowestLost >= recoveryPoint) {
                // one multiplicative decrease per window of data (NewReno's recovery point), by
                // CUBIC's 0.7 rather than a half and not below a floor: on the paths Rx runs on
                // (loopback, LAN) most loss is a full socket buffer or noise, and a window halved
                // at every lost packet would crawl at a few packets per RTT under random loss
                ssthresh = Math.max(Math.min(LOSS_FLOOR, conn.peer.rwind), cwind * 7 / 10);
                cwind = ssthresh;
                recoveryPoint = tsent;
                conn.stats.lossEvents++;
            }
        }
        if (progress) {
            rtoBackoff = 0;
        }
        if (inflight > 0 || hasLost()) {
            if (progress || rtoDeadline == NEVER) {
                rtoDeadline = now + rto();
            }
            if (progress) {
                probeDeadline = now + pto();
            }
        } else {
            rtoDeadline = NEVER;
            probeDeadline = NEVER;
        }
        checkSendDone(now, out);
        if (progress || lostNow > 0) {
            pump(now, out);
            // a writer blocked on a full send queue is woken once a quarter of it is free, not
            // for each ack: the packets still queued keep the window busy meanwhile, and a
            // wake-up per ack cost both threads a context switch for a packet or two each
            if (sendQueueLimit - (tqueued - tfirst) >= sendQueueLimit / 4 || lastQueued) {
                out.wake(this);
            }
        } else if (canTransmit()) {
            // nothing acknowledged, but the trailer may have opened the peer's window: the writer
            // leaves transmission to the acks while the window is full (NettyRxCall.queue)
            pump(now, out);
        }
    }

    /**
     * The last RTO was spurious: packets it marked lost that have not been sent again since are
     * back in flight, and the windows and backoff are as before the timeout.
     */
    private void undoSpuriousTimeout() {
        for (int q = tfirst; q < tsent; q++) {
            SendPacket p = tq[q & tmask];
            if (p != null && p.lost && rtoSerial - p.lastSerial >= 0) {
                p.lost = false;
                lostCount--;
                inflight++;
            }
        }
        cwind = Math.max(cwind, Math.min(undoCwind, Math.min(conn.peer.rwind, config.maxWindow())));
        ssthresh = Math.max(ssthresh, undoSsthresh);
        rtoBackoff = 0;
        conn.stats.spuriousRtos++;
    }

    private boolean isLost(SendPacket p, RxAck ack, int laterAcked, long now) {
        if (ack.serial() != 0 && ack.serial() - p.lastSerial > RX_NACK_THRESHOLD) {
            // the peer received a packet sent at least three transmissions after this one's
            // latest copy, yet still lacks it
            return true;
        }
        // peers that echo no serial: the classic rule, three later packets acknowledged, and
        // the latest copy old enough that the ack could have seen it
        return laterAcked >= RX_NACK_THRESHOLD && now - p.lastSentNanos > conn.peer.srttNanos;
    }

    private boolean hasLost() {
        return lostCount > 0;
    }

    /** For tests: the lost count agrees with the packets' marks. */
    boolean lostCountConsistent() {
        int n = 0;
        for (int s = tfirst; s < tsent; s++) {
            SendPacket p = tq[s & tmask];
            if (p != null && p.lost) {
                n++;
            }
        }
        return n == lostCount;
    }

    private void growWindow(int newlyAcked) {
        int cap = Math.min(conn.peer.rwind, config.maxWindow());
        for (int i = 0; i < newlyAcked; i++) {
            if (cwind < ssthresh) {
                cwind++;
            } else if (++caCount >= cwind) {
                caCount = 0;
                cwind++;
            }
        }
        if (cwind > cap) {
            cwind = cap;
        }
        conn.peer.cwind = cwind;
        conn.peer.ssthresh = ssthresh;
    }

    long rto() {
        long r = conn.peer.rtoNanos() << rtoBackoff;
        return Math.min(r, config.maxRtoNanos());
    }

    /** ACKALL, or reply data seen by a client: every packet we sent is acknowledged. */
    void ackAllSent(long now, RxOutput out) {
        while (tfirst < tqueued) {
            SendPacket p = tq[tfirst & tmask];
            tq[tfirst & tmask] = null;
            if (p != null) {
                p.buf.release();
            }
            tfirst++;
        }
        tsent = Math.max(tsent, tqueued);
        inflight = 0;
        lostCount = 0;
        rtoDeadline = NEVER;
        probeDeadline = NEVER;
        checkSendDone(now, out);
        out.wake(this);
    }

    void onAckAll(long now, RxOutput out) {
        lastReceiveNanos = now;
        if (error == 0) {
            ackAllSent(now, out);
        }
    }

    private void checkSendDone(long now, RxOutput out) {
        // soft acks suffice (rx.md §6.6): the client may never send the hard ack of the last
        // reply packet (vos exits right after reading it)
        boolean allAcked = tfirst >= tqueued || (tsent == tqueued && inflight == 0 && !hasLost());
        if (!client && lastQueued && allAcked && state == RX_STATE_HOLD) {
            // the reply is acknowledged: the server call is over (HOLD -> DALLY)
            state = RX_STATE_DALLY;
            mode = RX_MODE_EOF;
            rtoDeadline = NEVER;
            nextPingNanos = NEVER;
            releaseTransmitQueue();
            out.wake(this);
        }
    }

    /** Frees every queued outgoing packet; later acks find nothing to acknowledge. */
    private void releaseTransmitQueue() {
        for (int s = tfirst; s < tqueued; s++) {
            SendPacket p = tq[s & tmask];
            if (p != null) {
                p.buf.release();
                tq[s & tmask] = null;
            }
        }
        tfirst = tqueued;
        tsent = tqueued;
        inflight = 0;
        lostCount = 0;
        probeDeadline = NEVER;
    }

    /**
     * Transmits what the windows allow: lost packets first, then new ones, grouping new full
     * packets into jumbograms when both sides agreed to them (rx.md §9, §15).
     */
    public void pump(long now, RxOutput out) {
        // a server's reader that consumed the whole request asks for no ack (the reply is the
        // ack): the packets it finished are released here, on the event loop, instead
        releaseConsumed();
        if (error != 0) {
            return;
        }
        int twindLimit = tfirst + Math.max(1, Math.min(conn.peer.rwind, config.maxWindow()));
        boolean any = false;
        boolean retransmitted = false;
        SendPacket lastSent = null;
        // retransmissions
        if (inflight < cwind && lostCount > 0) {
            for (int s = tfirst; s < tsent && inflight < cwind && lostCount > 0; s++) {
                SendPacket p = tq[s & tmask];
                if (p.lost) {
                    p.lost = false;
                    lostCount--;
                    inflight++;
                    // every lost packet before s went out in this loop, so lostCount is what remains after s
                    boolean ra = inflight >= cwind || lostCount == 0;
                    transmitSingle(p, true, ra, now, out, true);
                    conn.stats.dataPacketsReSent++;
                    retransmitted = true;
                    any = true;
                }
            }
        }
        // new packets
        int dgramMax = config.jumbo() ? Math.min(conn.peer.maxDgramPackets, conn.peerOnThisHost()
                ? AFSDR_MAX_DGRAM_PACKETS : RX_MAX_DGRAM_PACKETS) : 1;
        while (inflight < cwind && tsent < tqueued && tsent < twindLimit) {
            int room = Math.min(cwind - inflight, twindLimit - tsent);
            int n = Math.min(room, Math.min(tqueued - tsent, dgramMax));
            // jumbogram members other than the last must carry exactly RX_JUMBOBUFFERSIZE bytes
            int k = 1;
            if (n > 1) {
                prepare(tq[tsent & tmask]);
                while (k < n) {
                    SendPacket prev = tq[(tsent + k - 1) & tmask];
                    if (prev.bodyLength != RX_JUMBOBUFFERSIZE || prev.last) {
                        break;
                    }
                    SendPacket next = tq[(tsent + k) & tmask];
                    prepare(next);
                    if (RX_HEADER_SIZE + (k + 1) * (RX_JUMBOBUFFERSIZE + RX_JUMBOHEADERSIZE) - RX_JUMBOHEADERSIZE
                            - RX_JUMBOBUFFERSIZE + next.bodyLength > conn.peer.maxMtu) {
                        break;
                    }
                    k++;
                }
            }
            boolean endOfBurst = inflight + k >= cwind || tsent + k >= tqueued || tsent + k >= twindLimit;
            boolean requestAck = endOfBurst
                    && (retransmitted || cwind <= 2 || tq[(tsent + k - 1) & tmask].last
                        || (dgramMax > RX_MAX_DGRAM_PACKETS && cwind < SPARSE_ACK_WINDOW && inflight + k >= cwind)
                        || (!conn.peer.slowStartOk && ((tsent + k - 1) & 1) == 1));
            if (k == 1) {
                transmitSingle(tq[tsent & tmask], false, requestAck, now, out, true);
            } else {
                transmitJumbo(tsent, k, requestAck, now, out);
            }
            inflight += k;
            conn.stats.dataPacketsSent += k;
            lastSent = tq[(tsent + k - 1) & tmask];
            tsent += k;
            any = true;
        }
        flushBatch(out);
        if (any) {
            lastSendNanos = now;
            // our data acknowledges the peer's direction (the reply acks the request), so an
            // ack still waiting for its delay has nothing to say (rxi_SendList cancels it too)
            delayedAckDeadline = NEVER;
            if (rtoDeadline == NEVER) {
                rtoDeadline = now + rto();
            }
            // one probe per flight, and none once timeouts started backing off (a dead peer
            // gets the backed-off retransmissions only)
            if (probeDeadline == NEVER && rtoBackoff == 0) {
                probeDeadline = now + pto();
            }
        }
        if (lastSent != null && lastSent.last && !client && state == RX_STATE_ACTIVE) {
            state = RX_STATE_HOLD;
        }
    }

    private void prepare(SendPacket p) {
        if (p.bodyLength >= 0) {
            return;
        }
        RxHeader h = conn.dataHeader(callNumber, channel, p.seq, RX_PACKET_TYPE_DATA, p.last ? RX_LAST_PACKET : 0);
        try {
            p.bodyLength = conn.security().preparePacket(h, p.buf, RX_HEADER_SIZE, p.userLength);
            p.checksum = h.spare;
        } catch (RxSecurityException e) {
            // our own security class refused our own packet: nothing sensible can go out
            p.bodyLength = p.userLength;
            fail(e.code(), true, 0, null);
        }
    }

    private int dataFlags(SendPacket p, boolean requestAck, boolean more) {
        int f = p.last ? RX_LAST_PACKET : 0;
        if (client) {
            f |= RX_CLIENT_INITIATED;
        }
        if (requestAck) {
            f |= RX_REQUEST_ACK;
        }
        if (more) {
            f |= RX_MORE_PACKETS;
        }
        return f;
    }

    private void noteSerial(SendPacket p, int serial, long now) {
        p.lastSerial = serial;
        p.lastSentNanos = now;
        p.transmissions++;
        serialSent[serial & (SERIAL_RING - 1)] = serial;
        serialTime[serial & (SERIAL_RING - 1)] = now;
    }

    /** Most datagrams in one segmentation-offload batch (the kernel allows 64). */
    private static final int GSO_MAX_SEGMENTS = 32;
    /**
     * Most bytes in one batch: the kernel sends a segmentation-offload batch as one UDP datagram
     * up to its segmentation, so the batch must fit a datagram's 65507-byte payload (7 full
     * 6-packet jumbograms do).
     */
    private static final int GSO_MAX_BYTES = 65507;
    /** The datagrams of the current batch: first seq and packet count of each (1 = not a jumbogram). */
    private final int[] batchSeq = new int[GSO_MAX_SEGMENTS];
    private final int[] batchPackets = new int[GSO_MAX_SEGMENTS];
    private int batchCount;
    private int batchBytes;
    private int batchSegment;
    private boolean batchShortTail;

    /**
     * Adds a datagram whose headers are already written into its packets' buffers to the current
     * batch of equal-sized datagrams (the last may be shorter), flushing first when it cannot join.
     */
    private void batch(int seq0, int packets, int len, RxOutput out) {
        if (batchCount > 0 && (batchShortTail || len > batchSegment || batchCount == GSO_MAX_SEGMENTS
                || batchBytes + len > GSO_MAX_BYTES)) {
            flushBatch(out);
        }
        if (batchCount == 0) {
            batchSegment = len;
            batchShortTail = false;
            batchBytes = 0;
        } else if (len < batchSegment) {
            batchShortTail = true;
        }
        batchSeq[batchCount] = seq0;
        batchPackets[batchCount] = packets;
        batchCount++;
        batchBytes += len;
        conn.stats.countSent(RX_PACKET_TYPE_DATA);
    }

    /**
     * Sends the batch. A lone packet goes out as its own buffer; anything else is copied into one
     * buffer, laid out as the datagrams follow each other on the wire. The copy (a few KiB, in
     * cache) replaced a composite buffer with a slice per packet, whose bookkeeping, reference
     * counts and per-component I/O vectors cost the event loop more than the bytes themselves.
     */
    private void flushBatch(RxOutput out) {
        int n = batchCount;
        if (n == 0) {
            return;
        }
        batchCount = 0;
        if (n == 1 && batchPackets[0] == 1) {
            // transmitSingle set the buffer's indices to exactly the datagram
            out.transmit(conn.peerAddress, tq[batchSeq[0] & tmask].buf.retain());
            return;
        }
        ByteBuf d = out.alloc().directBuffer(batchBytes);
        for (int i = 0; i < n; i++) {
            SendPacket first = tq[batchSeq[i] & tmask];
            d.writeBytes(first.buf, 0, RX_HEADER_SIZE + first.bodyLength);
            for (int m = 1; m < batchPackets[i]; m++) {
                SendPacket p = tq[(batchSeq[i] + m) & tmask];
                d.writeBytes(p.buf, RX_HEADER_SIZE - RX_JUMBOHEADERSIZE, RX_JUMBOHEADERSIZE + p.bodyLength);
            }
        }
        if (n == 1) {
            out.transmit(conn.peerAddress, d);
        } else {
            out.transmitSegments(conn.peerAddress, d, batchSegment);
        }
    }

    private void transmitSingle(SendPacket p, boolean retransmit, boolean requestAck, long now, RxOutput out) {
        transmitSingle(p, retransmit, requestAck, now, out, false);
    }

    private void transmitSingle(SendPacket p, boolean retransmit, boolean requestAck, long now, RxOutput out,
                                boolean batched) {
        prepare(p);
        if (error != 0) {
            return;
        }
        RxHeader h = conn.dataHeader(callNumber, channel, p.seq, RX_PACKET_TYPE_DATA, 0);
        h.flags = dataFlags(p, requestAck, false);
        h.spare = p.checksum;
        h.serial = conn.nextSerial();
        h.write(p.buf, 0);
        noteSerial(p, h.serial, now);
        // the packet buffer is the datagram (header room + body); sending it again later just
        // rewrites the header, so no slice object per transmission
        p.buf.setIndex(0, RX_HEADER_SIZE + p.bodyLength);
        if (batched) {
            batch(p.seq, 1, RX_HEADER_SIZE + p.bodyLength, out);
        } else {
            conn.transmit(p.buf.retain(), RX_PACKET_TYPE_DATA, out);
        }
    }

    /** Writes the headers of a jumbogram of packets seq0.. seq0+k-1 into their buffers and batches it. */
    private void transmitJumbo(int seq0, int k, boolean requestAck, long now, RxOutput out) {
        int len = RX_HEADER_SIZE - RX_JUMBOHEADERSIZE;
        for (int i = 0; i < k; i++) {
            SendPacket p = tq[(seq0 + i) & tmask];
            boolean lastMember = i == k - 1;
            int flags = dataFlags(p, lastMember && requestAck, false) | (lastMember ? 0 : RX_JUMBO_PACKET);
            int serial = conn.nextSerial();
            noteSerial(p, serial, now);
            if (i == 0) {
                RxHeader h = conn.dataHeader(callNumber, channel, p.seq, RX_PACKET_TYPE_DATA, 0);
                h.flags = flags;
                h.spare = p.checksum;
                h.serial = serial;
                h.write(p.buf, 0);
            } else {
                // the 4-byte jumbo header sits right in front of the member's body, in the room
                // its own Rx header would use when sent alone
                int jh = (flags << 24) | (p.checksum & 0xffff);
                p.buf.setInt(RX_HEADER_SIZE - RX_JUMBOHEADERSIZE, jh);
            }
            len += RX_JUMBOHEADERSIZE + p.bodyLength;
        }
        batch(seq0, k, len, out);
    }

    /**
     * Timer work due at {@code now}: retransmission timeout, delayed ack, keepalive ping, dead
     * call detection. Returns the next deadline of this call.
     */
    long onTimer(long now, RxOutput out) {
        releaseConsumed();
        if (error != 0 || state == RX_STATE_DALLY || state == RX_STATE_RESET) {
            return NEVER;
        }
        long dead = conn.deadTimeNanos() + fudgeNanos();
        if (now - lastReceiveNanos > dead) {
            fail(RX_CALL_DEAD, false, now, out);
            return NEVER;
        }
        if (config.idleDeadTimeSeconds() > 0 && mode == RX_MODE_RECEIVING
                && now - lastDataReceiveNanos > config.idleDeadTimeSeconds() * 1_000_000_000L) {
            fail(RX_CALL_TIMEOUT, true, now, out);
            return NEVER;
        }
        if (now >= rtoDeadline) {
            onRto(now, out);
        } else if (now >= probeDeadline) {
            tailLossProbe(now, out);
        }
        if (now >= delayedAckDeadline) {
            sendAck(RX_ACK_DELAY, lastReceivedSerial, false, now, out);
        }
        if (now >= nextPingNanos) {
            if (now - lastSendNanos >= conn.pingIntervalNanos()) {
                sendAck(RX_ACK_PING, 0, true, now, out);
            }
            nextPingNanos = lastSendNanos + conn.pingIntervalNanos();
            if (nextPingNanos <= now) {
                nextPingNanos = now + conn.pingIntervalNanos();
            }
        }
        long next = Math.min(Math.min(rtoDeadline, probeDeadline), Math.min(delayedAckDeadline, nextPingNanos));
        return Math.min(next, lastReceiveNanos + dead + 1);
    }

    private long fudgeNanos() {
        // rx.md §10: the dead time is stretched by about one RTT plus 8 deviations
        return conn.peer.srttNanos + 8 * conn.peer.rttvarNanos;
    }

    /**
     * Probe timeout: 1.5 smoothed RTTs plus half the floors the RTO uses, so the probe comes
     * well before the retransmission timeout it tries to avoid.
     */
    long pto() {
        if (!conn.peer.haveRtt) {
            return config.initialRtoNanos() / 2;
        }
        long srtt = conn.peer.srttNanos;
        return Math.max(srtt + srtt / 2, config.minRtoNanos() / 2) + config.rtoAllowanceNanos() / 2;
    }

    /**
     * Tail-loss probe (after RFC 8985's TLP): when acks stop while packets are in flight, the
     * newest unacked packet goes out again, asking for an ack, without touching the windows;
     * the ack it provokes reveals any loss before it, which fast retransmit then repairs. Without
     * it, losing the last packets of a flight costs a full RTO and a window of 1.
     */
    private void tailLossProbe(long now, RxOutput out) {
        probeDeadline = NEVER;
        for (int s = tsent - 1; s >= tfirst; s--) {
            SendPacket p = tq[s & tmask];
            if (p != null && !p.acked && !p.lost) {
                transmitSingle(p, true, true, now, out);
                conn.stats.dataPacketsReSent++;
                lastSendNanos = now;
                return;
            }
        }
    }

    /**
     * Retransmission timeout: everything unacked counts as lost (rxi_Resend) and the window
     * restarts small. OpenAFS restarts at 1; we restart at up to 4 packets (RFC 6928's initial
     * window) so a single loss among the resent packets need not cost another timeout.
     */
    private void onRto(long now, RxOutput out) {
        rtoDeadline = NEVER;
        boolean any = false;
        for (int s = tfirst; s < tsent; s++) {
            SendPacket p = tq[s & tmask];
            if (!p.acked && !p.lost) {
                p.lost = true;
                lostCount++;
                any = true;
            }
        }
        if (!any && !hasLost()) {
            return;
        }
        inflight = 0;
        conn.stats.rtoEvents++;
        if (!rtoUndoArmed) {
            // a second timeout in a row keeps the windows of before the first one
            undoCwind = cwind;
            undoSsthresh = ssthresh;
        }
        rtoUndoArmed = true;
        rtoSerial = conn.serial();
        ssthresh = Math.max(Math.min(LOSS_FLOOR, conn.peer.rwind), Math.min(cwind, conn.peer.rwind) / 2);
        cwind = Math.max(1, Math.min(4, conn.peer.rwind));
        caCount = 0;
        recoveryPoint = tsent;
        probeDeadline = NEVER;
        if (rtoBackoff < 16) {
            rtoBackoff++;
        }
        pump(now, out);
        if (rtoDeadline == NEVER) {
            rtoDeadline = now + rto();
        }
    }

    /** ABORT from the peer for this call: fail with its code, answer nothing. */
    void onAbort(int code, long now, RxOutput out) {
        lastReceiveNanos = now;
        fail(code == 0 ? RX_PROTOCOL_ERROR : code, false, now, out);
    }

    void onBusy(long now) {
        // rx.md §11: a client only notes the peer is alive
        lastReceiveNanos = now;
    }

    /**
     * Fails the call with {@code code}: queued packets are dropped, waiting threads wake, and
     * with {@code sendAbort} an ABORT goes to the peer (never in answer to an ABORT).
     */
    public void fail(int code, boolean sendAbort, long now, RxOutput out) {
        if (error != 0) {
            return;
        }
        error = code;
        mode = RX_MODE_ERROR;
        // a batch under way references packets about to be released
        batchCount = 0;
        for (int s = tfirst; s < tqueued; s++) {
            SendPacket p = tq[s & tmask];
            if (p != null) {
                p.buf.release();
                tq[s & tmask] = null;
            }
        }
        tfirst = tqueued;
        inflight = 0;
        lostCount = 0;
        dropReceiveQueue();
        rtoDeadline = NEVER;
        probeDeadline = NEVER;
        delayedAckDeadline = NEVER;
        nextPingNanos = NEVER;
        if (sendAbort && out != null) {
            sendAbortPacket(now, out);
        }
        if (out != null) {
            out.wake(this);
        }
    }

    /** App side variant of {@link #fail}: the ABORT is sent later by the event loop. */
    public void failLocally(int code) {
        fail(code, false, 0, null);
    }

    /** Event loop: sends our ABORT for this call (after {@link #failLocally}). */
    public void sendAbortPacket(long now, RxOutput out) {
        if (error == 0) {
            return;
        }
        aborted = true;
        RxHeader h = conn.header(callNumber, channel, 0, RX_PACKET_TYPE_ABORT, 0);
        conn.transmit(RxPacketEncoder.abort(out.alloc(), h, error), RX_PACKET_TYPE_ABORT, out);
        conn.stats.abortPacketsSent++;
        lastSendNanos = now;
    }

    private void dropReceiveQueue() {
        releaseConsumed();
        for (int i = 0; i < rq.length; i++) {
            if (rq[i] != null) {
                rq[i].release();
                rq[i] = null;
            }
        }
        if (rmax >= rnext) {
            rnext = rmax + 1;
        }
        advanceAcked();
    }

    /** Releases every buffer (connection teardown, call replaced). */
    void release() {
        batchCount = 0;
        releaseConsumed();
        for (int i = 0; i < tq.length; i++) {
            if (tq[i] != null) {
                tq[i].buf.release();
                tq[i] = null;
            }
        }
        for (int i = 0; i < rq.length; i++) {
            if (rq[i] != null) {
                rq[i].release();
                rq[i] = null;
            }
        }
    }

    /** The server handler returned: once the reply is acknowledged the call leaves HOLD. */
    public void serverReplyQueued() {
        if (!client && state == RX_STATE_ACTIVE && error == 0 && lastQueued && tsent >= tqueued) {
            state = RX_STATE_HOLD;
        }
    }

    /** Client: the application is done with the call (rx_EndCall); the channel may be reused. */
    public void clientEnded() {
        if (client && error == 0) {
            state = RX_STATE_DALLY;
            mode = RX_MODE_EOF;
            nextPingNanos = NEVER;
            rtoDeadline = NEVER;
        }
    }

    /**
     * The connection just authenticated: runs the security check that packets queued in
     * PRECALL skipped (OpenAFS checks a packet only when the application reads it), keeping
     * the user data.
     *
     * @return 0, or the code of a failed check: the caller aborts the whole connection with it
     *         (outside this call's lock), as for a failed packet of an ACTIVE call
     */
    int verifyQueued(long now, RxOutput out) {
        if (!rqUnchecked) {
            return 0;
        }
        rqUnchecked = false;
        PacketSecurity sec = conn.security();
        for (int seq = rnext; seq <= rmax; seq++) {
            int slot = seq & rmask;
            ByteBuf body = rq[slot];
            if (body == null) {
                continue;
            }
            RxHeader h = conn.dataHeader(callNumber, channel, seq, RX_PACKET_TYPE_DATA, 0);
            h.spare = rqSpare[slot];
            h.flags = rlast == seq ? RX_LAST_PACKET : 0;
            try {
                int len = sec.checkPacket(h, body, rqOff[slot], rqLen[slot], out.wallClockSeconds());
                rqOff[slot] += sec.headerSize();
                rqLen[slot] = len;
            } catch (RxSecurityException e) {
                out.dropped(h, "security check failed: " + e.getMessage());
                return e.code();
            }
        }
        advanceAcked();
        return 0;
    }

    /** Earliest time {@link #onTimer} has work, or {@link #NEVER}. */
    long nextDeadline() {
        if (error != 0 || state == RX_STATE_DALLY || state == RX_STATE_RESET) {
            return NEVER;
        }
        long next = Math.min(Math.min(rtoDeadline, probeDeadline), Math.min(delayedAckDeadline, nextPingNanos));
        return Math.min(next, lastReceiveNanos + conn.deadTimeNanos());
    }

    /** Whether the receive queue holds packets (rxdebug's RX_OTHER_IN). */
    boolean hasReceiveQueue() {
        return rmax >= rnext;
    }

    /** Whether the transmit queue holds packets (rxdebug's RX_OTHER_OUT). */
    boolean hasTransmitQueue() {
        return tqueued > tfirst;
    }

    public int inflight() {
        return inflight;
    }

    public int cwind() {
        return cwind;
    }

    @Override
    public String toString() {
        return (client ? "client" : "server") + " call " + callNumber + " ch" + channel + " state=" + state
                + " mode=" + mode + " err=" + error + " t[" + tfirst + "," + tsent + "," + tqueued + ") r[" + rnext
                + "," + racked + ".." + rmax + " last=" + rlast + "]";
    }
}
