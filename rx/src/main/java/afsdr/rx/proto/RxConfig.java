package afsdr.rx.proto;

import afsdr.rx.packet.RxConstants;
import java.util.concurrent.TimeUnit;

/**
 * Tunables of the protocol state machine. Defaults follow OpenAFS 1.8 (rx.md §16) except where
 * said; {@link #maxWindow} defaults to 255 because stock peers clamp what we advertise to 32
 * anyway while Java peers use all of it.
 *
 * @param maxWindow receive window we advertise and largest send window we use (1..255)
 * @param mtu largest Rx packet (header + data) we send or accept without jumbograms, to any peer;
 *            the engine's path rule may lower it per peer ({@link RxEngine#pathMtu})
 * @param jumbo whether we advertise and send jumbograms (rx.md §15)
 * @param softAckDelayNanos rx_softAckDelay: delay of an ack no packet asked for
 * @param lastAckDelayNanos rx_lastAckDelay: client's delay before acking a reply's last packet
 * @param hardAckRate rxi_HardAckRate: packets the application may consume before an ack is due
 * @param softAckRate rxi_SoftAckRate: unacked arrivals tolerated before an immediate ack
 * @param minRtoNanos rx_minPeerTimeout: floor of the retransmission timeout
 * @param rtoAllowanceNanos added to every RTO to cover the peer's delayed acks (OpenAFS: 200 ms)
 * @param initialRtoNanos RTO before any RTT sample
 * @param maxRtoNanos cap of the backed-off RTO (rxi_Resend: 60 s)
 * @param clientDeadTimeSeconds default dead time of client connections (RX_DEFAULT_DEAD_TIME)
 * @param serverDeadTimeSeconds dead time of server connections (the stock volserver uses 420)
 * @param idleConnectionSeconds rx_idleConnectionTime: unused server connections are forgotten after this
 * @param idleDeadTimeSeconds 0 = off; else a call that waits this long for peer data fails with RX_CALL_TIMEOUT
 */
public record RxConfig(int maxWindow, int mtu, boolean jumbo, long softAckDelayNanos, long lastAckDelayNanos,
                       int hardAckRate, int softAckRate, long minRtoNanos, long rtoAllowanceNanos,
                       long initialRtoNanos, long maxRtoNanos, int clientDeadTimeSeconds,
                       int serverDeadTimeSeconds, int idleConnectionSeconds, int idleDeadTimeSeconds) {

    public RxConfig {
        if (maxWindow < 1 || maxWindow > RxConstants.RX_MAX_WINDOW) {
            throw new IllegalArgumentException("maxWindow " + maxWindow + " outside 1..255");
        }
        if (mtu < RxConstants.RX_MIN_PACKET_SIZE || mtu > RxConstants.RX_MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("mtu " + mtu + " outside " + RxConstants.RX_MIN_PACKET_SIZE + ".."
                    + RxConstants.RX_MAX_PACKET_SIZE);
        }
        if (clientDeadTimeSeconds < 6 || serverDeadTimeSeconds < 6) {
            // rx_SetConnDeadTime: below 6 s the ping interval would round to 0
            throw new IllegalArgumentException("dead time below 6 s");
        }
    }

    public static RxConfig defaults() {
        return new RxConfig(RxConstants.RX_MAX_WINDOW, RxConstants.RX_REMOTE_PACKET_SIZE, false,
                TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(400), 2, 1,
                TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.SECONDS.toNanos(1),
                TimeUnit.SECONDS.toNanos(60), RxConstants.RX_DEFAULT_DEAD_TIME, 420,
                RxConstants.RX_IDLE_CONNECTION_TIME, 0);
    }

    public RxConfig withMaxWindow(int w) {
        return new RxConfig(w, mtu, jumbo, softAckDelayNanos, lastAckDelayNanos, hardAckRate, softAckRate, minRtoNanos,
                rtoAllowanceNanos, initialRtoNanos, maxRtoNanos, clientDeadTimeSeconds, serverDeadTimeSeconds,
                idleConnectionSeconds, idleDeadTimeSeconds);
    }

    public RxConfig withMtu(int m) {
        return new RxConfig(maxWindow, m, jumbo, softAckDelayNanos, lastAckDelayNanos, hardAckRate, softAckRate,
                minRtoNanos, rtoAllowanceNanos, initialRtoNanos, maxRtoNanos, clientDeadTimeSeconds,
                serverDeadTimeSeconds, idleConnectionSeconds, idleDeadTimeSeconds);
    }

    public RxConfig withJumbo(boolean j) {
        return new RxConfig(maxWindow, mtu, j, softAckDelayNanos, lastAckDelayNanos, hardAckRate, softAckRate,
                minRtoNanos, rtoAllowanceNanos, initialRtoNanos, maxRtoNanos, clientDeadTimeSeconds,
                serverDeadTimeSeconds, idleConnectionSeconds, idleDeadTimeSeconds);
    }

    public RxConfig withRto(long minRto, long allowance, long initial) {
        return new RxConfig(maxWindow, mtu, jumbo, softAckDelayNanos, lastAckDelayNanos, hardAckRate, softAckRate,
                minRto, allowance, initial, maxRtoNanos, clientDeadTimeSeconds, serverDeadTimeSeconds,
                idleConnectionSeconds, idleDeadTimeSeconds);
    }

    public RxConfig withDeadTimes(int client, int server) {
        return new RxConfig(maxWindow, mtu, jumbo, softAckDelayNanos, lastAckDelayNanos, hardAckRate, softAckRate,
                minRtoNanos, rtoAllowanceNanos, initialRtoNanos, maxRtoNanos, client, server, idleConnectionSeconds,
                idleDeadTimeSeconds);
    }

    public RxConfig withIdle(int idleConnection, int idleDead) {
        return new RxConfig(maxWindow, mtu, jumbo, softAckDelayNanos, lastAckDelayNanos, hardAckRate, softAckRate,
                minRtoNanos, rtoAllowanceNanos, initialRtoNanos, maxRtoNanos, clientDeadTimeSeconds,
                serverDeadTimeSeconds, idleConnection, idleDead);
    }

    /** maxDgramPackets we advertise. */
    public int advertisedDgramPackets() {
        return jumbo ? RxConstants.AFSDR_MAX_DGRAM_PACKETS : 1;
    }
}
