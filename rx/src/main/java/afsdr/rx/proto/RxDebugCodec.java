package afsdr.rx.proto;

import static afsdr.rx.packet.RxConstants.*;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * Encoders of the rxdebug answer bodies (rx.h: {@code rx_debugStats}, {@code rx_debugConn},
 * {@code rx_statistics}, {@code rx_debugPeer}). Layouts are the C structs as OpenAFS 1.8 sends
 * them: int32 fields in network order, chars as single bytes, the struct padding spelled out.
 */
final class RxDebugCodec {
    private RxDebugCodec() {}

    /**
     * sizeof(struct rx_debugStats): 3 int32, 4 chars, 4 int32, spare2[6] = 56 (rx.md §14 says 52,
     * but the struct as compiled on Linux is 56; checked with gcc against rx.h).
     */
    static final int DEBUG_STATS_SIZE = 56;
    /** sizeof(struct rx_securityObjectStats): 2 chars + 10 spare, 6 int32, 4 shorts, 8 int32. */
    static final int SECURITY_STATS_SIZE = 76;
    /** sizeof(struct rx_debugConn). */
    static final int DEBUG_CONN_SIZE = 56 + SECURITY_STATS_SIZE + 4 + 4 + 9 * 4;
    /** sizeof(struct rx_statistics): 71 int32 words. */
    static final int RX_STATISTICS_WORDS = 71;
    /** sizeof(struct rx_debugPeer). */
    static final int DEBUG_PEER_SIZE = 132;
    static final int MAX_REPLY_SIZE = Math.max(RX_STATISTICS_WORDS * 4, DEBUG_CONN_SIZE);

    static void writeDebugStats(ByteBuf b, RxStats s, int idleThreads, int nWaiting, int nWaited) {
        int start = b.writerIndex();
        b.writeInt(0); // nFreePackets: our buffers are pooled, there is no free list to count
        b.writeInt(0); // packetReclaims
        b.writeInt(s.callsExecuted.get());
        b.writeByte(0); // waitingForPackets
        b.writeByte(0); // usedFDs
        b.writeByte(RX_DEBUGI_VERSION);
        b.writeByte(0); // spare1
        b.writeInt(nWaiting);
        b.writeInt(idleThreads);
        b.writeInt(nWaited);
        b.writeInt(0); // nPackets
        b.writeZero(6 * 4);
        assert b.writerIndex() - start == DEBUG_STATS_SIZE;
    }

    private static void writeHost(ByteBuf b, InetSocketAddress a) {
        if (a != null && a.getAddress() instanceof Inet4Address) {
            b.writeBytes(a.getAddress().getAddress());
        } else {
            b.writeInt(0);
        }
    }

    /** One connection, or the end marker (cid 0xffffffff) when {@code c} is null. */
    static void writeDebugConn(ByteBuf b, RxConnection c) {
        int start = b.writerIndex();
        if (c == null) {
            b.writeZero(4);
            b.writeInt(0xffffffff);
            b.writeZero(DEBUG_CONN_SIZE - 8);
            return;
        }
        RxCallState[] calls = new RxCallState[RX_MAXCALLS];
        int[] numbers;
        synchronized (c) {
            System.arraycopy(c.calls, 0, calls, 0, RX_MAXCALLS);
            numbers = c.callNumber.clone();
        }
        writeHost(b, c.peerAddress);
        b.writeInt(c.cid);
        b.writeInt(c.serial());
        for (int n : numbers) {
            b.writeInt(n);
        }
        b.writeInt(c.error);
        b.writeShort(c.peerAddress == null ? 0 : c.peerAddress.getPort());
        b.writeByte(0); // flags
        b.writeByte(c.server ? RX_SERVER_CONNECTION : RX_CLIENT_CONNECTION);
        b.writeByte(c.securityIndex);
        b.writeZero(3); // sparec
        byte[] st = new byte[RX_MAXCALLS], md = new byte[RX_MAXCALLS], other = new byte[RX_MAXCALLS];
        for (int i = 0; i < RX_MAXCALLS; i++) {
            RxCallState k = calls[i];
            if (k != null) {
                synchronized (k) {
                    st[i] = (byte) k.state;
                    md[i] = (byte) k.mode;
                    other[i] = (byte) ((k.hasReceiveQueue() ? 1 : 0) | (k.hasTransmitQueue() ? 2 : 0));
                }
            }
        }
        b.writeBytes(st);
        b.writeBytes(md);
        b.writeZero(RX_MAXCALLS); // callFlags
        b.writeBytes(other);
        // secStats: the security classes keep no statistics yet
        b.writeZero(SECURITY_STATS_SIZE);
        b.writeInt(c.epoch);
        b.writeInt(c.peer.maxMtu); // natMTU
        b.writeZero(9 * 4);
        assert b.writerIndex() - start == DEBUG_CONN_SIZE;
    }

    /** struct rx_statistics in field order; counters we do not have are 0. */
    static void writeRxStatistics(ByteBuf b, RxStats s, int serverConns, int clientConns) {
        int start = b.writerIndex();
        b.writeInt(0); // packetRequests
        b.writeInt(0); // receivePktAllocFailures
        b.writeInt(0); // sendPktAllocFailures
        b.writeInt(0); // specialPktAllocFailures
        b.writeInt(0); // socketGreedy
        b.writeInt(s.bogusPacketOnRead);
        b.writeInt(0); // bogusHost
        b.writeInt(0); // noPacketOnRead
        b.writeInt(0); // noPacketBuffersOnRead
        b.writeInt(0); // selects
        b.writeInt(0); // sendSelects
        for (int v : s.packetsRead) {
            b.writeInt(v);
        }
        b.writeInt(s.dataPacketsRead);
        b.writeInt(s.ackPacketsRead);
        b.writeInt(s.dupPacketsRead);
        b.writeInt(s.spuriousPacketsRead);
        for (int v : s.packetsSent) {
            b.writeInt(v);
        }
        b.writeInt(s.ackPacketsSent);
        b.writeInt(s.pingPacketsSent);
        b.writeInt(s.abortPacketsSent);
        b.writeInt(s.busyPacketsSent);
        b.writeInt(s.dataPacketsSent);
        b.writeInt(s.dataPacketsReSent);
        b.writeInt(s.dataPacketsPushed);
        b.writeInt(0); // ignoreAckedPacket
        writeClock(b, s.totalRttMicros);
        writeClock(b, s.nRttSamples == 0 ? 0 : s.minRttMicros);
        writeClock(b, s.maxRttMicros);
        b.writeInt(s.nRttSamples);
        b.writeInt(serverConns);
        b.writeInt(clientConns);
        b.writeInt(serverConns + clientConns); // nPeerStructs: one peer record per connection here
        b.writeInt(s.nCallStructs);
        b.writeInt(0); // nFreeCallStructs
        b.writeInt(s.netSendFailures);
        b.writeInt(0); // fatalErrors
        b.writeInt(s.ignorePacketDally);
        b.writeInt(0); // receiveCbufPktAllocFailures
        b.writeInt(0); // sendCbufPktAllocFailures
        b.writeInt(s.nBusies);
        b.writeZero(4 * 4); // spares
        assert b.writerIndex() - start == RX_STATISTICS_WORDS * 4;
    }

    /** struct clock {sec, usec}. */
    private static void writeClock(ByteBuf b, long micros) {
        b.writeInt((int) (micros / 1_000_000));
        b.writeInt((int) (micros % 1_000_000));
    }

    /** One peer (we keep one per connection), or the end marker (host 0xffffffff). */
    static void writeDebugPeer(ByteBuf b, RxConnection c) {
        int start = b.writerIndex();
        if (c == null) {
            b.writeInt(0xffffffff);
            b.writeZero(DEBUG_PEER_SIZE - 4);
            return;
        }
        RxPeer p = c.peer;
        writeHost(b, c.peerAddress);
        b.writeShort(c.peerAddress == null ? 0 : c.peerAddress.getPort());
        b.writeShort(p.localMtu); // ifMTU
        b.writeInt(0); // idleWhen
        b.writeShort(1); // refCount
        b.writeByte(0); // burstSize
        b.writeByte(0); // burst
        b.writeZero(8); // burstWait
        b.writeInt((int) (p.srttNanos / 1_000_000)); // rtt, ms
        b.writeInt((int) (p.rttvarNanos / 1_000_000)); // rtt_dev, ms
        long rto = p.rtoNanos() / 1000;
        writeClock(b, rto); // timeout
        b.writeInt(c.stats.dataPacketsSent); // nSent (endpoint-wide: we keep no per-peer count)
        b.writeInt(c.stats.dataPacketsReSent); // reSends
        b.writeInt(0); // inPacketSkew
        b.writeInt(0); // outPacketSkew
        b.writeInt(0); // rateFlag
        b.writeShort(p.maxMtu); // natMTU
        b.writeShort(p.maxMtu); // maxMTU
        b.writeShort(p.maxDgramPackets);
        b.writeShort(c.config.advertisedDgramPackets()); // ifDgramPackets
        b.writeShort(p.sendMtu()); // MTU
        b.writeShort(p.cwind);
        b.writeShort(p.maxDgramPackets); // nDgramPackets
        b.writeShort(0); // congestSeq
        b.writeZero(8); // bytesSent
        b.writeZero(8); // bytesReceived
        b.writeZero(10 * 4);
        assert b.writerIndex() - start == DEBUG_PEER_SIZE;
    }
}
