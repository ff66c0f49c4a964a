package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.packet.RxMalformedPacketException;
import afsdr.rx.packet.RxPacket;
import afsdr.rx.packet.RxPacketDecoder;
import afsdr.rx.packet.RxPacketEncoder;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.ServerSecurity;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ToIntFunction;

/**
 * Everything one UDP socket does, minus the socket: connection tables for server and client
 * connections on the same port, service registry, connection-less VERSION and DEBUG answers,
 * raw aborts, timers and idle collection (rxi_ReceivePacket, rxi_FindConnection). Runs on the
 * event loop; {@link #newClientConnection} and {@link #addService} may be called from any thread.
 */
public final class RxEngine {
    private static final System.Logger LOG = System.getLogger(RxEngine.class.getName());

    private final RxConfig config;
    private final RxStats stats;
    private final String version;
    private final int epoch;
    private int nextCid;
    private final Map<Integer, Map<Integer, ServerSecurity>> services = new ConcurrentHashMap<>();
    private final Map<ConnKey, RxConnection> serverConns = new ConcurrentHashMap<>();
    private final Map<Integer, RxConnection> clientConns = new ConcurrentHashMap<>();
    private final List<RxCallState> ackQueue = new ArrayList<>();
    /**
     * The connections whose timers {@link #tick} runs (event loop only). A connection leaves it
     * when its timers come up empty (every call ended or failed, no handshake or abort pending:
     * {@link RxConnection#onTimer} returns NEVER) and comes back with its next packet or its next
     * client call, the only two things that can give it a deadline again. A volserver keeps the
     * connection of every vos command for rx_idleConnectionTime (700 s); walking all of them every
     * tick cost ~100 ns each, 200 times a second, on the thread that also reads the packets.
     */
    private final List<RxConnection> timed = new ArrayList<>();
    /** Connections that started a client call on another thread since the last tick. */
    private final Queue<RxConnection> timerWakeups = new ConcurrentLinkedQueue<>();
    /**
     * Largest packet the path to a peer carries unfragmented; each new connection's limit is this
     * capped by the configured MTU. Default: no limit of its own (the configured MTU decides).
     */
    private volatile ToIntFunction<InetSocketAddress> pathMtu = peer -> RX_MAX_PACKET_SIZE;
    /** When {@link #tick} last looked for idle server connections to collect (valid once {@link #swept}). */
    private long lastIdleSweep;
    private boolean swept;
    private final RxPacket[] packets = RxPacketDecoder.newPacketArray();
    /** The connections the last packets went to (event loop only); cleared when they are removed. */
    private RxConnection lastServerConn;
    private RxConnection lastClientConn;

    /** Gauges the I/O layer fills in for rxdebug. */
    public volatile int idleThreads;
    public volatile int nWaiting;
    public volatile int nWaited;

    private record ConnKey(int epoch, int cid, InetSocketAddress peer) {}

    /**
     * @param epoch our client epoch; bit 31 gets set and bit 30 cleared as rx_InitHost does
     * @param firstCid first client connection id (random in OpenAFS)
     */
    public RxEngine(RxConfig config, RxStats stats, String version, int epoch, int firstCid) {
        this.config = config;
        this.stats = stats;
        this.version = version;
        this.epoch = (epoch & ~0x40000000) | RX_EPOCH_ONLY_FLAG;
        this.nextCid = firstCid & RX_CIDMASK;
    }

    public RxConfig config() {
        return config;
    }

    public RxStats stats() {
        return stats;
    }

    public int epoch() {
        return epoch;
    }

    /** Sets the rule for {@link #pathMtu} (before connections are made). */
    public void pathMtu(ToIntFunction<InetSocketAddress> rule) {
        this.pathMtu = java.util.Objects.requireNonNull(rule);
    }

    private int localMtuFor(InetSocketAddress peer) {
        return Math.max(RX_MIN_PACKET_SIZE, Math.min(config.mtu(), pathMtu.applyAsInt(peer)));
    }

    public void addService(int serviceId, Map<Integer, ServerSecurity> byIndex) {
        if (serviceId < 0 || serviceId > 0xffff) {
            throw new IllegalArgumentException("serviceId " + serviceId);
        }
        services.put(serviceId, Map.copyOf(byIndex));
    }

    /** A new client connection (any thread). Its first packets will carry our epoch and a fresh cid. */
    public synchronized RxConnection newClientConnection(InetSocketAddress peer, int serviceId, ClientSecurity security,
                                                         long now) {
        int cid;
        do {
            cid = nextCid;
            nextCid += 1 << RX_CIDSHIFT;
        } while (cid == 0 || clientConns.containsKey(cid));
        RxConnection c = RxConnection.client(config, stats, epoch, cid, serviceId, peer, security, now);
        c.ackQueue = ackQueue;
        c.timerWakeups = timerWakeups;
        c.peer.localMtu = localMtuFor(peer);
        clientConns.put(cid, c);
        stats.nClientConns++;
        return c;
    }

    /** Forgets a client connection (its calls were ended or failed). */
    public void removeClientConnection(RxConnection c, long now, RxOutput out) {
        if (lastClientConn == c) {
            lastClientConn = null;
        }
        if (clientConns.remove(c.cid, c)) {
            c.destroy(now, out);
        }
    }

    /**
     * Handles one received datagram. Never throws for bad input and does not release
     * {@code datagram} (the caller's finally does).
     */
    public void receive(ByteBuf datagram, InetSocketAddress from, long now, RxOutput out) {
        int count;
        try {
            count = RxPacketDecoder.split(datagram, packets);
        } catch (RxMalformedPacketException e) {
            stats.bogusPacketOnRead++;
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "dropping datagram from " + from + ": " + e.getMessage());
            }
            return;
        }
        RxHeader h = packets[0].header;
        for (int i = 0; i < count; i++) {
            stats.countRead(h.type);
        }
        switch (h.type) {
            case RX_PACKET_TYPE_VERSION:
                answerVersion(h, from, out);
                return;
            case RX_PACKET_TYPE_DEBUG:
                answerDebug(packets[0], from, out);
                return;
            default:
                break;
        }
        if (h.type < RX_PACKET_TYPE_DATA || h.type > RX_N_PACKET_TYPES) {
            out.dropped(h, "unknown packet type");
            return;
        }
        RxConnection conn = h.clientInitiated() ? findServerConnection(h, from, now, out) : findClientConnection(h, out);
        if (conn == null) {
            return;
        }
        listForTimers(conn);
        for (int i = 0; i < count; i++) {
            conn.onPacket(packets[i], from, now, out);
        }
    }

    private RxConnection findServerConnection(RxHeader h, InetSocketAddress from, long now, RxOutput out) {
        RxConnection last = lastServerConn;
        if (last != null && last.epoch == h.epoch && last.cid == (h.cid & RX_CIDMASK)
                && ((h.epoch & RX_EPOCH_ONLY_FLAG) != 0 || from.equals(last.peerAddress))) {
            // a bulk call brings thousands of packets of one connection in a row: skip the key
            // object and the hash lookup
            return last;
        }
        ConnKey key = new ConnKey(h.epoch, h.cid & RX_CIDMASK, (h.epoch & RX_EPOCH_ONLY_FLAG) != 0 ? null : from);
        RxConnection c = serverConns.get(key);
        if (c != null) {
            lastServerConn = c;
            return c;
        }
        Map<Integer, ServerSecurity> svc = services.get(h.serviceId);
        ServerSecurity sec = svc == null ? null : svc.get(h.securityIndex);
        if (sec == null) {
            // rx.md §3.2: unknown service or security index; never answer an ABORT with one
            if (h.type != RX_PACKET_TYPE_ABORT) {
                sendRawAbort(h, from, RX_INVALID_OPERATION, out);
            }
            out.dropped(h, svc == null ? "unknown service" : "unknown security index");
            return null;
        }
        if (h.type != RX_PACKET_TYPE_DATA || h.callNumber == 0) {
            // only the start of a call creates a connection; stray ACKs, pings or responses of
            // connections we forgot (restart, collection) are ignored
            out.dropped(h, "no connection for non-DATA packet");
            return null;
        }
        c = RxConnection.server(config, stats, h, from, sec, now);
        c.ackQueue = ackQueue;
        c.timerWakeups = timerWakeups;
        c.peer.localMtu = localMtuFor(from);
        serverConns.put(key, c);
        stats.nServerConns++;
        lastServerConn = c;
        return c;
    }

    private RxConnection findClientConnection(RxHeader h, RxOutput out) {
        RxConnection c = lastClientConn;
        if (c == null || c.cid != (h.cid & RX_CIDMASK)) {
            c = clientConns.get(h.cid & RX_CIDMASK);
            lastClientConn = c;
        }
        if (c == null || c.epoch != h.epoch || c.serviceId != h.serviceId) {
            out.dropped(h, "no client connection with this epoch/cid");
            return null;
        }
        return c;
    }

    /** rxi_SendRawAbort: an ABORT built from the offending packet's header, no connection state. */
    private void sendRawAbort(RxHeader offending, InetSocketAddress to, int code, RxOutput out) {
        RxHeader h = new RxHeader().set(offending.epoch, offending.cid, offending.callNumber, 0, 0,
                RX_PACKET_TYPE_ABORT, offending.clientInitiated() ? 0 : RX_CLIENT_INITIATED, offending.securityIndex,
                offending.serviceId);
        stats.countSent(RX_PACKET_TYPE_ABORT);
        stats.abortPacketsSent++;
        out.transmit(to, RxPacketEncoder.abort(out.alloc(), h, code));
    }

    /** Sends the acks that this read batch made due (one per call). */
    public void flushAcks(long now, RxOutput out) {
        for (int i = 0; i < ackQueue.size(); i++) {
            RxCallState c = ackQueue.get(i);
            synchronized (c) {
                c.flushPendingAck(now, out);
            }
        }
        ackQueue.clear();
    }

    /**
     * Timer work for every connection that may have a deadline (see {@link #timed}); at most once a
     * second also collects idle server connections. Returns the next deadline.
     */
    public long tick(long now, RxOutput out) {
        for (RxConnection c; (c = timerWakeups.poll()) != null; ) {
            listForTimers(c);
        }
        long next = RxCallState.NEVER;
        int kept = 0;
        for (int i = 0; i < timed.size(); i++) {
            RxConnection c = timed.get(i);
            long d = c.onTimer(now, out);
            if (d == RxCallState.NEVER) {
                c.timerListed = false;
            } else {
                timed.set(kept++, c);
                next = Math.min(next, d);
            }
        }
        timed.subList(kept, timed.size()).clear();
        if (!swept || now - lastIdleSweep >= IDLE_SWEEP_NANOS) {
            swept = true;
            lastIdleSweep = now;
            collectIdle(now, out);
        }
        return next;
    }

    /** How often {@link #tick} looks for idle server connections (700 s to live: no hurry). */
    static final long IDLE_SWEEP_NANOS = 1_000_000_000L;

    private void listForTimers(RxConnection c) {
        if (!c.timerListed) {
            c.timerListed = true;
            timed.add(c);
        }
    }

    /** Forgets server connections without a call in progress and without a packet for rx_idleConnectionTime. */
    private void collectIdle(long now, RxOutput out) {
        long idleLimit = config.idleConnectionSeconds() * 1_000_000_000L;
        for (Iterator<RxConnection> it = serverConns.values().iterator(); it.hasNext(); ) {
            RxConnection c = it.next();
            if (now - c.lastActivityNanos > idleLimit && c.idle()) {
                it.remove();
                if (lastServerConn == c) {
                    lastServerConn = null;
                }
                c.destroy(now, out);
            }
        }
    }

    /** How many connections {@link #tick} runs the timers of (tests). */
    int timedConnectionCount() {
        return timed.size();
    }

    /** Fails every call and releases every buffer. */
    public void shutdown(long now, RxOutput out) {
        for (RxConnection c : serverConns.values()) {
            c.destroy(now, out);
        }
        for (RxConnection c : clientConns.values()) {
            c.destroy(now, out);
        }
        serverConns.clear();
        clientConns.clear();
        for (RxConnection c : timed) {
            c.timerListed = false;
        }
        timed.clear();
        timerWakeups.clear();
        lastServerConn = null;
        lastClientConn = null;
    }

    public int serverConnectionCount() {
        return serverConns.size();
    }

    // ------------------------------------------------------------ VERSION and DEBUG (rx.md §13, §14)

    private void answerVersion(RxHeader h, InetSocketAddress from, RxOutput out) {
        if (!h.clientInitiated()) {
            // NAT keepalives look like version queries without CLIENT_INITIATED: ignore them
            return;
        }
        RxHeader r = h.copy();
        r.flags &= ~RX_CLIENT_INITIATED;
        stats.countSent(RX_PACKET_TYPE_VERSION);
        out.transmit(from, RxPacketEncoder.withBody(out.alloc(), r, RxPacketEncoder.versionBody(version)));
    }

    private void answerDebug(RxPacket p, InetSocketAddress from, RxOutput out) {
        RxHeader h = p.header;
        if (!h.clientInitiated()) {
            return;
        }
        if (p.bodyLength < RX_DEBUG_IN_SIZE) {
            stats.bogusPacketOnRead++;
            out.dropped(h, "DEBUG request shorter than rx_debugIn");
            return;
        }
        int type = p.datagram.getInt(p.bodyOffset);
        int index = p.datagram.getInt(p.bodyOffset + 4);
        RxHeader r = h.copy();
        r.flags &= ~RX_CLIENT_INITIATED;
        ByteBuf b = out.alloc().directBuffer(RX_HEADER_SIZE + RxDebugCodec.MAX_REPLY_SIZE);
        r.writeTo(b);
        switch (type) {
            case RX_DEBUGI_GETSTATS:
                RxDebugCodec.writeDebugStats(b, stats, idleThreads, nWaiting, nWaited);
                break;
            case RX_DEBUGI_GETCONN:
            case RX_DEBUGI_GETALLCONN:
                RxDebugCodec.writeDebugConn(b, nthConnection(index, type == RX_DEBUGI_GETALLCONN));
                break;
            case RX_DEBUGI_RXSTATS:
                RxDebugCodec.writeRxStatistics(b, stats, serverConns.size(), clientConns.size());
                break;
            case RX_DEBUGI_GETPEER:
                RxDebugCodec.writeDebugPeer(b, nthConnection(index, true));
                break;
            default:
                b.writeInt(RX_DEBUGI_BADTYPE);
                b.writeInt(RX_DEBUGI_BADTYPE);
                break;
        }
        stats.countSent(RX_PACKET_TYPE_DEBUG);
        out.transmit(from, b);
    }

    /** The index-th connection for GETCONN (interesting = has a call in progress) or GETALLCONN. */
    private RxConnection nthConnection(int index, boolean all) {
        if (index < 0) {
            return null;
        }
        int i = index;
        for (RxConnection c : serverConns.values()) {
            if ((all || !c.idle()) && i-- == 0) {
                return c;
            }
        }
        for (RxConnection c : clientConns.values()) {
            if ((all || !c.idle()) && i-- == 0) {
                return c;
            }
        }
        return null;
    }
}
