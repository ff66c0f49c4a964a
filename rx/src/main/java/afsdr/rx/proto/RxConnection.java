package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;

import afsdr.rx.packet.RxAck;
import afsdr.rx.packet.RxHeader;
import afsdr.rx.packet.RxMalformedPacketException;
import afsdr.rx.packet.RxPacket;
import afsdr.rx.packet.RxPacketDecoder;
import afsdr.rx.packet.RxPacketEncoder;
import afsdr.rx.security.ClientSecurityContext;
import afsdr.rx.security.PacketSecurity;
import afsdr.rx.security.RxSecurityConnection;
import afsdr.rx.security.RxSecurityException;
import afsdr.rx.security.ServerSecurityContext;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Protocol state of one Rx connection (epoch, cid, service, security index; rx.md §3): its four
 * channels, call numbers, serial counter, peer knowledge, the security handshake of §12 and
 * connection-level aborts. Pure like {@link RxCallState}.
 *
 * <p>Locking: packet handling and timers run on the event loop. The channel table
 * ({@link #calls}, {@link #callNumber}) is also read and changed by client threads starting calls,
 * so it is guarded by this object's monitor; lock order is connection, then call.
 */
public final class RxConnection implements RxSecurityConnection {
    final RxConfig config;
    final RxStats stats;
    final int epoch;
    final int cid;
    final int serviceId;
    final int securityIndex;
    final boolean server;
    final RxPeer peer;
    volatile InetSocketAddress peerAddress;

    private ServerSecurityContext serverSecurity;
    private ClientSecurityContext clientSecurity;

    private int serial;
    final int[] callNumber = new int[RX_MAXCALLS];
    final RxCallState[] calls = new RxCallState[RX_MAXCALLS];
    /**
     * Client: channels the server recently called busy (a BUSY packet, or a call that timed out
     * and may still run there), and when (rx_connection's lastBusy); guarded like {@link #calls}.
     */
    private final boolean[] busy = new boolean[RX_MAXCALLS];
    private final long[] busySince = new long[RX_MAXCALLS];
    /** Connection-level error (a connection ABORT either way); 0 while usable. */
    volatile int error;
    private volatile int deadTimeSeconds;
    long lastActivityNanos;

    // server-side challenge state (rx.md §12)
    private boolean challengeStarted;
    private int challengeTries;
    long challengeDeadline = RxCallState.NEVER;
    long connAbortDeadline = RxCallState.NEVER;
    private volatile Object identity;

    final byte[] ackScratch = new byte[RX_MAXACKS];
    /** Calls with an ack due at the end of the read batch; null = ack at once (no batching). */
    java.util.List<RxCallState> ackQueue;
    /** The engine's queue of connections that need their timers run again; null without an engine. */
    java.util.Queue<RxConnection> timerWakeups;
    /** On the engine's list of connections whose timers it runs (event loop only). */
    boolean timerListed;
    private final RxHeader scratch = new RxHeader();
    /** For the I/O layer. */
    public Object attachment;

    private RxConnection(RxConfig config, RxStats stats, int epoch, int cid, int serviceId, int securityIndex,
                         boolean server, InetSocketAddress peerAddress, ServerSecurityContext ss,
                         ClientSecurityContext cs, long now) {
        this.config = config;
        this.stats = stats;
        this.epoch = epoch;
        this.cid = cid & RX_CIDMASK;
        this.serviceId = serviceId;
        this.securityIndex = securityIndex;
        this.server = server;
        this.peerAddress = peerAddress;
        this.peer = new RxPeer(config);
        this.serverSecurity = ss;
        this.clientSecurity = cs;
        this.deadTimeSeconds = server ? config.serverDeadTimeSeconds() : config.clientDeadTimeSeconds();
        this.lastActivityNanos = now;
    }

    /** A server connection, made by the first packet of an unknown (epoch, cid). */
    public static RxConnection server(RxConfig config, RxStats stats, RxHeader first, InetSocketAddress from,
                                      afsdr.rx.security.ServerSecurity security, long now) {
        RxConnection c = new RxConnection(config, stats, first.epoch, first.cid, first.serviceId, first.securityIndex,
                true, from, null, null, now);
        c.serverSecurity = security.newServerContext(c);
        return c;
    }

    /** A client connection to {@code peer}. */
    public static RxConnection client(RxConfig config, RxStats stats, int epoch, int cid, int serviceId,
                                      InetSocketAddress peer, afsdr.rx.security.ClientSecurity security, long now) {
        RxConnection c = new RxConnection(config, stats, epoch, cid, serviceId, security.securityIndex(), false,
                peer, null, null, now);
        c.clientSecurity = security.newClientContext(c);
        return c;
    }

    // ------------------------------------------------------------ RxSecurityConnection

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public int cid() {
        return cid;
    }

    @Override
    public int securityIndex() {
        return securityIndex;
    }

    @Override
    public int serviceId() {
        return serviceId;
    }

    @Override
    public boolean isServer() {
        return server;
    }

    public InetSocketAddress peerAddress() {
        return peerAddress;
    }

    public RxPeer peer() {
        return peer;
    }

    public Object identity() {
        return identity;
    }

    public int error() {
        return error;
    }

    public synchronized int[] callNumbers() {
        return callNumber.clone();
    }

    public synchronized RxCallState call(int channel) {
        return calls[channel];
    }

    PacketSecurity security() {
        return server ? serverSecurity : clientSecurity;
    }

    public boolean authenticated() {
        return !server || serverSecurity.isAuthenticated();
    }

    public void setDeadTimeSeconds(int seconds) {
        this.deadTimeSeconds = Math.max(6, seconds);
    }

    public long deadTimeNanos() {
        return deadTimeSeconds * 1_000_000_000L;
    }

    /** secondsUntilPing = dead time / RX_PINGS_LOST_BEFORE_DEAD (rx.md §10). */
    long pingIntervalNanos() {
        return deadTimeNanos() / RX_PINGS_LOST_BEFORE_DEAD;
    }

    /** Whether the peer is on this host (a loopback address): larger jumbograms are safe there. */
    boolean peerOnThisHost() {
        return peerAddress.getAddress().isLoopbackAddress();
    }

    int nextSerial() {
        return ++serial;
    }

    public int serial() {
        return serial;
    }

    /** Header for a control packet on this connection, with a fresh serial. Reused: write it out at once. */
    RxHeader header(int callNo, int channel, int seq, int type, int flags) {
        RxHeader h = dataHeader(callNo, channel, seq, type, flags);
        h.serial = nextSerial();
        return h;
    }

    /** Like {@link #header} without a serial (DATA packets get theirs at each transmission). */
    RxHeader dataHeader(int callNo, int channel, int seq, int type, int flags) {
        return scratch.set(epoch, cid | channel, callNo, seq, 0, type,
                flags | (server ? 0 : RX_CLIENT_INITIATED), securityIndex, serviceId);
    }

    void transmit(ByteBuf datagram, int type, RxOutput out) {
        stats.countSent(type);
        out.transmit(peerAddress, datagram);
    }

    // ------------------------------------------------------------ client calls

    /**
     * App side: starts a client call on a free channel (rxi_NewCall), or returns null when all
     * four channels are busy. Channels whose call ended (DALLY) or failed are reused.
     */
    public synchronized RxCallState newClientCall(long now) {
        if (server || error != 0) {
            return null;
        }
        // like rx_NewCall: a free channel the server has not called busy, else the free channel
        // that was busy longest ago (its server thread most likely finished since)
        int pick = -1;
        for (int ch = 0; ch < RX_MAXCALLS; ch++) {
            RxCallState old = calls[ch];
            if (old != null) {
                synchronized (old) {
                    if (!old.finished()) {
                        continue;
                    }
                    if (old.error == 0) {
                        // a call completed here: whatever made the channel busy is over
                        busy[ch] = false;
                    } else if (old.error == RX_CALL_TIMEOUT && !busy[ch]) {
                        // we gave up waiting; the server may still be running that call
                        busy[ch] = true;
                        busySince[ch] = now;
                    }
                }
            }
            if (!busy[ch]) {
                pick = ch;
                break;
            }
            if (pick < 0 || busySince[ch] - busySince[pick] < 0) {
                pick = ch;
            }
        }
        if (pick < 0) {
            return null;
        }
        int ch = pick;
        busy[ch] = false;
        RxCallState old = calls[ch];
        if (old != null) {
            synchronized (old) {
                old.release();
            }
        }
        int n = ++callNumber[ch];
        if (n <= 0) {
            // 0 marks connection packets; never wrap into it
            n = callNumber[ch] = 1;
        }
        RxCallState c = new RxCallState(this, ch, n, true, now);
        calls[ch] = c;
        stats.nCallStructs++;
        if (timerWakeups != null) {
            // the new call has deadlines: the engine's next tick must run this connection's timers
            timerWakeups.add(this);
        }
        return c;
    }

    /** Client: whether the server called {@code channel} busy and no call completed on it since. */
    public synchronized boolean channelBusy(int channel) {
        return busy[channel];
    }

    /** Whether any channel is free for {@link #newClientCall}. */
    public synchronized boolean hasFreeChannel() {
        for (RxCallState c : calls) {
            if (c == null || c.finished()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ receive

    /**
     * Handles one packet addressed to this connection (the engine matched epoch and cid).
     * Never throws on bad input: malformed bodies are counted and dropped.
     */
    public void onPacket(RxPacket p, InetSocketAddress from, long now, RxOutput out) {
        RxHeader h = p.header;
        lastActivityNanos = now;
        if (h.securityIndex != securityIndex) {
            out.dropped(h, "security index differs from the connection's");
            return;
        }
        if (server && (epoch & RX_EPOCH_ONLY_FLAG) != 0 && !from.equals(peerAddress)) {
            // epoch bit 31: the client may move (NAT rebinding); answers follow it (rx.md §3.1)
            peerAddress = from;
        }
        if (error != 0) {
            if (h.type != RX_PACKET_TYPE_ABORT) {
                sendConnectionAbort(out);
            }
            return;
        }
        if (h.callNumber == 0) {
            onConnectionPacket(p, now, out);
            return;
        }
        if (!server && h.type == RX_PACKET_TYPE_BUSY) {
            // noted even when the call number is not (or no longer) ours, as rx does
            synchronized (this) {
                busy[h.channel()] = true;
                busySince[h.channel()] = now;
            }
        }
        RxCallState call = server ? serverCall(h, now, out) : clientCall(h);
        if (call == null) {
            return;
        }
        boolean dispatch = false;
        synchronized (call) {
            switch (h.type) {
                case RX_PACKET_TYPE_DATA:
                    dispatch = onData(call, p, now, out);
                    break;
                case RX_PACKET_TYPE_ACK:
                    RxAck ack;
                    try {
                        ack = RxPacketDecoder.ack(p);
                    } catch (RxMalformedPacketException e) {
                        stats.bogusPacketOnRead++;
                        out.dropped(h, e.getMessage());
                        return;
                    }
                    stats.ackPacketsRead++;
                    call.onAck(h, ack, now, out);
                    break;
                case RX_PACKET_TYPE_ABORT:
                    try {
                        call.onAbort(RxPacketDecoder.abortCode(p), now, out);
                    } catch (RxMalformedPacketException e) {
                        stats.bogusPacketOnRead++;
                        out.dropped(h, e.getMessage());
                    }
                    break;
                case RX_PACKET_TYPE_ACKALL:
                    call.onAckAll(now, out);
                    break;
                case RX_PACKET_TYPE_BUSY:
                    stats.nBusies++;
                    call.onBusy(now);
                    break;
                default:
                    out.dropped(h, "unexpected packet type on a call");
                    break;
            }
        }
        if (dispatch) {
            out.dispatch(call);
        }
    }

    /** Returns whether a PRECALL call became ACTIVE with this packet and needs a thread. */
    private boolean onData(RxCallState call, RxPacket p, long now, RxOutput out) {
        RxHeader h = p.header;
        if (call.error != 0 || call.state == RX_STATE_PRECALL) {
            // in error: re-sends the ABORT and drops; in PRECALL the security check waits for
            // authentication (verifyQueued), as OpenAFS checks packets only when they are read
            if (call.state == RX_STATE_PRECALL) {
                call.rqUnchecked = true;
            }
            call.onData(h, p.datagram.retain(), p.bodyOffset, p.bodyLength, p.datagramPackets, now, out);
            return false;
        }
        PacketSecurity sec = security();
        int len;
        try {
            len = sec.checkPacket(h, p.datagram, p.bodyOffset, p.bodyLength, out.wallClockSeconds());
        } catch (RxSecurityException e) {
            // rxi_ReadProc: a packet that fails its check may be an attempt to hijack the
            // connection, so the whole connection ends with the class's code, peer told
            out.dropped(h, "security check failed: " + e.getMessage());
            failConnection(e.code(), now, out, true);
            return false;
        }
        call.onData(h, p.datagram.retain(), p.bodyOffset + sec.headerSize(), len, p.datagramPackets, now, out);
        return false;
    }

    /** Server side of rxi_ReceiveServerCall (rx.md §3.3): which call a packet belongs to. */
    private RxCallState serverCall(RxHeader h, long now, RxOutput out) {
        int ch = h.channel();
        RxCallState call;
        RxCallState replaced = null;
        synchronized (this) {
            int cur = callNumber[ch];
            call = calls[ch];
            if (h.callNumber < cur) {
                out.dropped(h, "stale call number " + h.callNumber + " < " + cur);
                return null;
            }
            if (h.callNumber == cur && call != null) {
                return call;
            }
            // a new call: only a DATA packet near the start of a request may create it, so a
            // restarted server does not pick up the tail of calls it never knew
            if (h.type != RX_PACKET_TYPE_DATA || h.seq > RX_STOCK_MAX_WINDOW || h.seq < 1) {
                out.dropped(h, "no call " + h.callNumber + " on channel " + ch);
                return null;
            }
            if (call != null) {
                synchronized (call) {
                    if ((call.state == RX_STATE_ACTIVE || call.state == RX_STATE_PRECALL) && call.error == 0) {
                        // the client moved on while our handler still runs: that call is dead,
                        // and the client is told to retry (BUSY)
                        call.fail(RX_CALL_DEAD, false, now, out);
                        RxHeader b = header(h.callNumber, ch, 0, RX_PACKET_TYPE_BUSY, 0);
                        transmit(RxPacketEncoder.empty(out.alloc(), b), RX_PACKET_TYPE_BUSY, out);
                        stats.busyPacketsSent++;
                        return null;
                    }
                    replaced = call;
                }
            }
            callNumber[ch] = h.callNumber;
            call = new RxCallState(this, ch, h.callNumber, false, now);
            if (!authenticated()) {
                call.state = RX_STATE_PRECALL;
            }
            calls[ch] = call;
            stats.nCallStructs++;
        }
        if (replaced != null) {
            synchronized (replaced) {
                // a higher call number acknowledges everything of the previous call
                replaced.release();
                if (replaced.state != RX_STATE_DALLY && replaced.error == 0) {
                    replaced.state = RX_STATE_RESET;
                }
                out.wake(replaced);
            }
        }
        if (call.state == RX_STATE_PRECALL) {
            startChallenge(now, out);
        } else {
            out.dispatch(call);
        }
        return call;
    }

    private RxCallState clientCall(RxHeader h) {
        RxCallState call;
        synchronized (this) {
            call = calls[h.channel()];
        }
        if (call == null || call.callNumber != h.callNumber) {
            stats.spuriousPacketsRead++;
            return null;
        }
        return call;
    }

    private void onConnectionPacket(RxPacket p, long now, RxOutput out) {
        RxHeader h = p.header;
        switch (h.type) {
            case RX_PACKET_TYPE_ABORT: {
                int code;
                try {
                    code = RxPacketDecoder.abortCode(p);
                } catch (RxMalformedPacketException e) {
                    stats.bogusPacketOnRead++;
                    out.dropped(h, e.getMessage());
                    return;
                }
                failConnection(code == 0 ? RX_PROTOCOL_ERROR : code, now, out, false);
                return;
            }
            case RX_PACKET_TYPE_CHALLENGE:
                if (!server) {
                    onChallenge(p, now, out);
                }
                return;
            case RX_PACKET_TYPE_RESPONSE:
                if (server) {
                    onResponse(p, now, out);
                }
                return;
            default:
                // PARAMS (9..11) are obsolete; nothing else is connection-level
                out.dropped(h, "ignored connection packet");
        }
    }

    // ------------------------------------------------------------ security handshake

    private void startChallenge(long now, RxOutput out) {
        if (challengeStarted) {
            return;
        }
        challengeStarted = true;
        challengeTries = 0;
        sendChallenge(now, out);
    }

    private void sendChallenge(long now, RxOutput out) {
        byte[] body = serverSecurity.challenge();
        RxHeader h = header(0, 0, 0, RX_PACKET_TYPE_CHALLENGE, 0);
        transmit(RxPacketEncoder.withBody(out.alloc(), h, body), RX_PACKET_TYPE_CHALLENGE, out);
        challengeTries++;
        challengeDeadline = now + RX_CHALLENGE_TIMEOUT * 1_000_000_000L;
    }

    private void onResponse(RxPacket p, long now, RxOutput out) {
        if (!challengeStarted || serverSecurity.isAuthenticated()) {
            // rx.md §12.4: a response nobody asked for, or a late duplicate
            out.dropped(p.header, "unsolicited RESPONSE");
            return;
        }
        ServerSecurityContext.Accepted ok;
        try {
            ok = serverSecurity.checkResponse(p.body(), out.wallClockSeconds());
        } catch (RxSecurityException e) {
            // a bad response kills the connection; the ABORT follows after a second so a
            // hostile client cannot use us to probe quickly (rxi_ReceiveResponsePacket)
            challengeDeadline = RxCallState.NEVER;
            error = e.code();
            connAbortDeadline = now + 1_000_000_000L;
            failCalls(e.code(), now, out);
            return;
        }
        identity = ok.identity();
        challengeDeadline = RxCallState.NEVER;
        RxCallState[] toStart = new RxCallState[RX_MAXCALLS];
        synchronized (this) {
            if (ok.callNumbers() != null) {
                for (int ch = 0; ch < RX_MAXCALLS && ch < ok.callNumbers().length; ch++) {
                    int n = ok.callNumbers()[ch];
                    if (calls[ch] == null && n > callNumber[ch]) {
                        callNumber[ch] = n;
                    }
                }
            }
            System.arraycopy(calls, 0, toStart, 0, RX_MAXCALLS);
        }
        for (RxCallState c : toStart) {
            if (c == null) {
                continue;
            }
            boolean start = false;
            int bad = 0;
            synchronized (c) {
                if (c.state == RX_STATE_PRECALL && c.error == 0) {
                    c.state = RX_STATE_ACTIVE;
                    bad = c.verifyQueued(now, out);
                    start = bad == 0 && c.error == 0;
                }
            }
            if (bad != 0) {
                failConnection(bad, now, out, true);
                return;
            }
            if (start) {
                out.dispatch(c);
            }
        }
    }

    private void onChallenge(RxPacket p, long now, RxOutput out) {
        int[] numbers = new int[RX_MAXCALLS];
        boolean active = false;
        synchronized (this) {
            for (int ch = 0; ch < RX_MAXCALLS; ch++) {
                RxCallState c = calls[ch];
                numbers[ch] = callNumber[ch];
                if (c != null && c.state == RX_STATE_DALLY) {
                    numbers[ch] = callNumber[ch] + 1;
                }
                if (c != null && !c.finished()) {
                    active = true;
                }
            }
        }
        if (!active) {
            // rx.md §12.3: a challenge with no call to authenticate is ignored
            return;
        }
        byte[] body;
        try {
            body = clientSecurity.respond(p.body(), numbers);
        } catch (RxSecurityException e) {
            failConnection(e.code(), now, out, false);
            return;
        }
        RxHeader h = header(0, 0, 0, RX_PACKET_TYPE_RESPONSE, 0);
        transmit(RxPacketEncoder.withBody(out.alloc(), h, body), RX_PACKET_TYPE_RESPONSE, out);
    }

    // ------------------------------------------------------------ errors and timers

    /** Connection abort: every call fails with {@code code}; with {@code send} the peer is told. */
    public void failConnection(int code, long now, RxOutput out, boolean send) {
        if (error == 0) {
            error = code;
        }
        failCalls(code, now, out);
        if (send) {
            sendConnectionAbort(out);
        }
    }

    private void failCalls(int code, long now, RxOutput out) {
        RxCallState[] cs;
        synchronized (this) {
            cs = calls.clone();
        }
        for (RxCallState c : cs) {
            if (c != null) {
                synchronized (c) {
                    c.fail(code, false, now, out);
                }
            }
        }
    }

    void sendConnectionAbort(RxOutput out) {
        RxHeader h = header(0, 0, 0, RX_PACKET_TYPE_ABORT, 0);
        transmit(RxPacketEncoder.abort(out.alloc(), h, error == 0 ? RX_PROTOCOL_ERROR : error), RX_PACKET_TYPE_ABORT,
                out);
        stats.abortPacketsSent++;
    }

    /** Runs the timers of the connection and its calls; returns the next deadline. */
    public long onTimer(long now, RxOutput out) {
        long next = RxCallState.NEVER;
        if (now >= connAbortDeadline) {
            connAbortDeadline = RxCallState.NEVER;
            sendConnectionAbort(out);
        }
        if (now >= challengeDeadline) {
            if (challengeTries >= RX_CHALLENGE_MAXTRIES) {
                // the client never proved itself: its pending calls die (rx.md §12.2)
                challengeDeadline = RxCallState.NEVER;
                RxCallState[] cs;
                synchronized (this) {
                    cs = calls.clone();
                }
                for (RxCallState c : cs) {
                    if (c != null) {
                        synchronized (c) {
                            if (c.state == RX_STATE_PRECALL) {
                                c.fail(RX_CALL_DEAD, true, now, out);
                            }
                        }
                    }
                }
            } else {
                sendChallenge(now, out);
            }
        }
        next = Math.min(next, Math.min(challengeDeadline, connAbortDeadline));
        RxCallState[] cs;
        synchronized (this) {
            cs = calls.clone();
        }
        for (RxCallState c : cs) {
            if (c == null) {
                continue;
            }
            synchronized (c) {
                long d = c.nextDeadline();
                if (d <= now) {
                    d = c.onTimer(now, out);
                }
                next = Math.min(next, d);
            }
        }
        return next;
    }

    /** Whether no call is in progress (for idle collection). */
    public synchronized boolean idle() {
        for (RxCallState c : calls) {
            if (c != null && !c.finished()) {
                return false;
            }
        }
        return true;
    }

    /** Releases every buffer of every call (endpoint shutdown, connection collected). */
    public void destroy(long now, RxOutput out) {
        RxCallState[] cs;
        synchronized (this) {
            cs = calls.clone();
        }
        for (RxCallState c : cs) {
            if (c != null) {
                synchronized (c) {
                    if (c.error == 0 && !c.finished()) {
                        c.fail(RX_CALL_DEAD, false, now, out);
                    }
                    c.release();
                    if (out != null) {
                        out.wake(c);
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return (server ? "server" : "client") + " conn epoch=" + Integer.toUnsignedString(epoch) + " cid="
                + Integer.toHexString(cid) + " svc=" + serviceId + " sec=" + securityIndex + " peer=" + peerAddress;
    }
}
