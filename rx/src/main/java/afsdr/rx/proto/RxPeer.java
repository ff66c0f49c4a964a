package afsdr.rx.proto;

import afsdr.rx.packet.RxAck;
import afsdr.rx.packet.RxConstants;

/**
 * What one connection has learnt about its peer: path MTU and jumbogram limit from ack trailers,
 * round-trip time (srtt/rttvar, RFC 6298 arithmetic in nanoseconds) and the congestion window
 * carried from one call to the next (OpenAFS keeps these in {@code struct rx_peer}).
 */
public final class RxPeer {
    private final RxConfig config;
    /** Largest packet (header + data) the peer accepts; RX_REMOTE_PACKET_SIZE until it tells us. */
    int maxMtu = RxConstants.RX_REMOTE_PACKET_SIZE;
    /**
     * The peer's own packet size toward us (the ifMTU word of its trailers); RX_REMOTE_PACKET_SIZE
     * until it tells us. OpenAFS sizes packets by the smaller of its and the peer's (natMTU): a
     * stock peer says 1444 on loopback (it leaves that interface out), so only a peer that knows
     * the path carries more, one like us, gets larger packets. (A stock vos advertises a maxMTU
     * of 5692 but reads with a 64 KiB socket buffer: a window of packets that size overflowed
     * it, a quarter of them resent.)
     */
    int ifMtu = RxConstants.RX_REMOTE_PACKET_SIZE;
    /**
     * Largest packet we send to or accept from the peer: our -rxmaxmtu cap and what the path to
     * it carries unfragmented (the engine's path rule; rxi_InitPeerParams's peer->ifMTU).
     */
    int localMtu;
    /** Rx packets per datagram the peer accepts; 1 until an ack trailer says more (rxi_InitPeerParams). */
    int maxDgramPackets = 1;
    /** Peer's advertised receive window: our send window. */
    int rwind = RxConstants.RX_INIT_WINDOW;
    /** Whether the peer ever set SLOW_START_OK on an ack. */
    boolean slowStartOk;
    long srttNanos;
    long rttvarNanos;
    boolean haveRtt;
    /** Congestion window handed to the next call (starts at 1 per OpenAFS). */
    int cwind = 1;
    int ssthresh = RxConstants.RX_MAX_WINDOW;

    RxPeer(RxConfig config) {
        this.config = config;
        this.localMtu = config.mtu();
    }

    /** maxMTU of our ack trailers: what we accept, or a whole jumbogram when we take those. */
    int advertisedMaxMtu() {
        return config.jumbo() ? Math.max(localMtu, RxConstants.AFSDR_MAX_JUMBO_DATAGRAM) : localMtu;
    }

    /** Largest packet (header + data) we send to the peer: our limit and both of the peer's. */
    int sendMtu() {
        return Math.min(localMtu, Math.min(maxMtu, ifMtu));
    }

    /**
     * Applies an ack trailer. Values we cannot use are ignored instead of trusted: an MTU below
     * RX_MIN_PACKET_SIZE, a window below 1 or a datagram count below 1.
     */
    void applyAckTrailer(RxAck ack) {
        if (ack.trailerWords() >= 2) {
            int m = ack.maxMTU();
            if (m >= RxConstants.RX_MIN_PACKET_SIZE) {
                maxMtu = Math.min(m, RxConstants.RX_MAX_PACKET_SIZE);
            }
            int i = ack.ifMTU();
            if (i >= RxConstants.RX_MIN_PACKET_SIZE) {
                ifMtu = Math.min(i, RxConstants.RX_MAX_PACKET_SIZE);
            }
        }
        if (ack.trailerWords() >= 3) {
            int w = ack.rwind();
            if (w >= 1) {
                rwind = Math.min(w, config.maxWindow());
            }
        }
        if (ack.trailerWords() >= 4) {
            int d = ack.maxDgramPackets();
            if (d >= 1) {
                maxDgramPackets = Math.min(d, RxConstants.AFSDR_MAX_DGRAM_PACKETS);
            }
        } else {
            maxDgramPackets = 1;
        }
    }

    void rttSample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (!haveRtt) {
            srttNanos = rtt;
            rttvarNanos = rtt / 2;
            haveRtt = true;
        } else {
            long err = rtt - srttNanos;
            srttNanos += err / 8;
            rttvarNanos += (Math.abs(err) - rttvarNanos) / 4;
        }
    }

    /** Retransmission timeout before backoff: max(srtt + 4 rttvar, floor) + the peer's ack delay allowance. */
    public long rtoNanos() {
        if (!haveRtt) {
            return config.initialRtoNanos();
        }
        return Math.max(srttNanos + 4 * rttvarNanos, config.minRtoNanos()) + config.rtoAllowanceNanos();
    }

    public long srttNanos() {
        return srttNanos;
    }

    public int maxMtu() {
        return maxMtu;
    }

    public int maxDgramPackets() {
        return maxDgramPackets;
    }

    public int rwind() {
        return rwind;
    }
}
