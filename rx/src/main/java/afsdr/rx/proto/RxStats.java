package afsdr.rx.proto;

import afsdr.rx.packet.RxConstants;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counters of one endpoint, in the shape of OpenAFS's {@code struct rx_statistics} (rx.h) so
 * rxdebug -rxstats can print them. Written on the event loop only, except
 * {@link #callsExecuted}; readers tolerate slightly stale values.
 */
public final class RxStats {
    public final int[] packetsRead = new int[RxConstants.RX_N_PACKET_TYPES];
    public final int[] packetsSent = new int[RxConstants.RX_N_PACKET_TYPES];
    public int bogusPacketOnRead;
    public int dataPacketsRead;
    public int ackPacketsRead;
    public int dupPacketsRead;
    public int spuriousPacketsRead;
    public int ackPacketsSent;
    public int pingPacketsSent;
    public int abortPacketsSent;
    public int busyPacketsSent;
    public int dataPacketsSent;
    public int dataPacketsReSent;
    public int dataPacketsPushed;
    public long totalRttMicros;
    public long minRttMicros = Long.MAX_VALUE;
    public long maxRttMicros;
    public int nRttSamples;
    public int nServerConns;
    public int nClientConns;
    public int nCallStructs;
    public int netSendFailures;
    public int ignorePacketDally;
    public int nBusies;
    /** Retransmission timeouts (not in rx_statistics; for tests and benchmarks). */
    public int rtoEvents;
    /** Fast-retransmit loss events that reduced a congestion window. */
    public int lossEvents;
    /** Retransmission timeouts found spurious afterwards (an ack echoed a serial sent before them) and undone. */
    public int spuriousRtos;
    public final AtomicInteger callsExecuted = new AtomicInteger();

    void countRead(int type) {
        if (type >= 1 && type <= RxConstants.RX_N_PACKET_TYPES) {
            packetsRead[type - 1]++;
        }
    }

    void countSent(int type) {
        if (type >= 1 && type <= RxConstants.RX_N_PACKET_TYPES) {
            packetsSent[type - 1]++;
        }
    }

    void rttSample(long nanos) {
        long us = nanos / 1000;
        nRttSamples++;
        totalRttMicros += us;
        minRttMicros = Math.min(minRttMicros, us);
        maxRttMicros = Math.max(maxRttMicros, us);
    }
}
