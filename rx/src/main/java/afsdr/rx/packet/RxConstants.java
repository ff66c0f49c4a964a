package afsdr.rx.packet;

/**
 * Wire constants of the Rx protocol, named as in OpenAFS 1.8, each with the file it comes from
 * (section numbers refer to rx.md).
 */
public final class RxConstants {
    private RxConstants() {}

    /** RX_HEADER_SIZE, rx_packet.h: the fixed header of every packet (§2). */
    public static final int RX_HEADER_SIZE = 28;
    /** RX_IPUDP_SIZE, rx_packet.h: IPv6 40 + fragment 8 + UDP 8, subtracted from link MTUs even for IPv4. */
    public static final int RX_IPUDP_SIZE = 56;
    /** RX_MIN_PACKET_SIZE, rx_packet.h: 576 - RX_IPUDP_SIZE; no peer may advertise less (§16). */
    public static final int RX_MIN_PACKET_SIZE = 576 - RX_IPUDP_SIZE;
    /** OLD_MAX_PACKET_SIZE / RX_REMOTE_PACKET_SIZE, rx_packet.h: 1500 - RX_IPUDP_SIZE (§16). */
    public static final int RX_REMOTE_PACKET_SIZE = 1500 - RX_IPUDP_SIZE;
    /** RX_MAX_PACKET_SIZE, rx_packet.h: largest Rx packet (header + data). */
    public static final int RX_MAX_PACKET_SIZE = 16384;
    /** RX_JUMBOBUFFERSIZE, rx_packet.h: data bytes of every jumbogram member but the last (§15). */
    public static final int RX_JUMBOBUFFERSIZE = 1412;
    /** RX_JUMBOHEADERSIZE, rx_packet.h: the 4-byte header in front of each further jumbogram member. */
    public static final int RX_JUMBOHEADERSIZE = 4;
    /** RX_MAX_DGRAM_PACKETS, rx_globals.h: most Rx packets we put into or accept in one datagram. */
    public static final int RX_MAX_DGRAM_PACKETS = 6;
    /**
     * Most Rx packets per datagram between two peers like us on one host (not an OpenAFS
     * constant): we advertise it when jumbograms are on, and send that many only to a peer on
     * this host that advertised as much (stock peers advertise at most RX_MAX_DGRAM_PACKETS; off
     * the host, RX_MAX_DGRAM_PACKETS still applies, since IP fragments of a larger datagram
     * multiply the loss). 11 members (15600 bytes) still fit one RX_MAX_PACKET_SIZE receive
     * slot; on loopback they cut the datagrams, and the per-datagram work of both kernels and
     * event loops, by 45 % against 6.
     */
    public static final int AFSDR_MAX_DGRAM_PACKETS = 11;
    /** Largest jumbogram we accept: 28 + 11*1412 + 10*4 = 15600 (at most RX_MAX_PACKET_SIZE). */
    public static final int AFSDR_MAX_JUMBO_DATAGRAM = RX_HEADER_SIZE + AFSDR_MAX_DGRAM_PACKETS * RX_JUMBOBUFFERSIZE
            + (AFSDR_MAX_DGRAM_PACKETS - 1) * RX_JUMBOHEADERSIZE;
    /** Largest datagram stock OpenAFS builds: 28 + 6*1412 + 5*4 = 8520 (rx_maxJumboRecvSize on Unix). */
    public static final int RX_MAX_JUMBO_DATAGRAM =
            RX_HEADER_SIZE + RX_MAX_DGRAM_PACKETS * RX_JUMBOBUFFERSIZE + (RX_MAX_DGRAM_PACKETS - 1) * RX_JUMBOHEADERSIZE;

    /** RX_MAXCALLS, rx.h: channels per connection (§3.2). */
    public static final int RX_MAXCALLS = 4;
    /** RX_CHANNELMASK, rx.h: low bits of the cid select the channel. */
    public static final int RX_CHANNELMASK = RX_MAXCALLS - 1;
    /** RX_CIDMASK, rx.h. */
    public static final int RX_CIDMASK = ~RX_CHANNELMASK;
    /** RX_CIDSHIFT, rx.h. */
    public static final int RX_CIDSHIFT = 2;

    // Packet types, rx_packet.h (§4)
    public static final int RX_PACKET_TYPE_DATA = 1;
    public static final int RX_PACKET_TYPE_ACK = 2;
    public static final int RX_PACKET_TYPE_BUSY = 3;
    public static final int RX_PACKET_TYPE_ABORT = 4;
    public static final int RX_PACKET_TYPE_ACKALL = 5;
    public static final int RX_PACKET_TYPE_CHALLENGE = 6;
    public static final int RX_PACKET_TYPE_RESPONSE = 7;
    public static final int RX_PACKET_TYPE_DEBUG = 8;
    public static final int RX_PACKET_TYPE_PARAMS = 9;
    public static final int RX_PACKET_TYPE_VERSION = 13;
    /** RX_N_PACKET_TYPES, rx_packet.h: sizes the per-type counters of rx_statistics. */
    public static final int RX_N_PACKET_TYPES = 13;

    // Header flags, rx_packet.h (§5)
    public static final int RX_CLIENT_INITIATED = 0x01;
    public static final int RX_REQUEST_ACK = 0x02;
    public static final int RX_LAST_PACKET = 0x04;
    public static final int RX_MORE_PACKETS = 0x08;
    /** RX_SLOW_START_OK on ACK packets. */
    public static final int RX_SLOW_START_OK = 0x20;
    /** RX_JUMBO_PACKET on DATA packets: another packet follows in this datagram. */
    public static final int RX_JUMBO_PACKET = 0x20;

    // Ack reasons, rx.h (§7.1)
    public static final int RX_ACK_REQUESTED = 1;
    public static final int RX_ACK_DUPLICATE = 2;
    public static final int RX_ACK_OUT_OF_SEQUENCE = 3;
    public static final int RX_ACK_EXCEEDS_WINDOW = 4;
    public static final int RX_ACK_NOSPACE = 5;
    public static final int RX_ACK_PING = 6;
    public static final int RX_ACK_PING_RESPONSE = 7;
    public static final int RX_ACK_DELAY = 8;
    public static final int RX_ACK_IDLE = 9;
    /** RX_ACK_TYPE_NACK / RX_ACK_TYPE_ACK, rx.h: values of the acks[] bytes. */
    public static final int RX_ACK_TYPE_NACK = 0;
    public static final int RX_ACK_TYPE_ACK = 1;
    /** RX_MAXACKS, rx.h: the ack bitmap has at most 255 one-byte entries (§7). */
    public static final int RX_MAXACKS = 255;

    // Security indices, rx.h rx_securityIndex (§2)
    public static final int RX_SECIDX_NULL = 0;
    public static final int RX_SECIDX_KAD = 2;
    public static final int RX_SECIDX_KAD_CRYPT = 3;

    // Error codes, rx.h (§18)
    public static final int RX_CALL_DEAD = -1;
    public static final int RX_INVALID_OPERATION = -2;
    public static final int RX_CALL_TIMEOUT = -3;
    public static final int RX_EOF = -4;
    public static final int RX_PROTOCOL_ERROR = -5;
    public static final int RX_USER_ABORT = -6;
    public static final int RX_ADDRINUSE = -7;
    public static final int RX_MSGSIZE = -8;
    public static final int RX_RESTARTING = -100;
    /** RXGEN_OPCODE, rxgen_consts.h: the server has no such procedure. */
    public static final int RXGEN_OPCODE = -455;

    // Call states and modes, rx.h (§6); rxdebug prints them.
    public static final int RX_STATE_NOTINIT = 0;
    public static final int RX_STATE_PRECALL = 1;
    public static final int RX_STATE_ACTIVE = 2;
    public static final int RX_STATE_DALLY = 3;
    public static final int RX_STATE_HOLD = 4;
    public static final int RX_STATE_RESET = 5;
    public static final int RX_MODE_SENDING = 1;
    public static final int RX_MODE_RECEIVING = 2;
    public static final int RX_MODE_ERROR = 3;
    public static final int RX_MODE_EOF = 4;

    // Connection types, rx.h (rxdebug's GETCONN)
    public static final int RX_CLIENT_CONNECTION = 0;
    public static final int RX_SERVER_CONNECTION = 1;

    /** Epoch of connection-less probes (rxdebug, version, NAT keepalive); rx.c MakeDebugCall (§3.1). */
    public static final int RX_DEBUG_EPOCH = 999;
    /** Bit 31 of the epoch: match connections on (epoch, cid) only, ignoring the peer address (§3.1). */
    public static final int RX_EPOCH_ONLY_FLAG = 0x80000000;

    // Windows and timing, rx_globals.h / rx.c (§16)
    /** rx_maxReceiveWindow: the window a stock peer will use at most, whatever we advertise. */
    public static final int RX_STOCK_MAX_WINDOW = 32;
    /** rx_initSendWindow / rx_initReceiveWindow. */
    public static final int RX_INIT_WINDOW = 16;
    /** rx_maxWindow: the largest window the protocol can express (the ack bitmap size). */
    public static final int RX_MAX_WINDOW = 255;
    /** rx_nackThreshold: NACKs after a later ACK before a packet counts as lost. */
    public static final int RX_NACK_THRESHOLD = 3;
    /** RX_DEFAULT_DEAD_TIME, rx.h, seconds. */
    public static final int RX_DEFAULT_DEAD_TIME = 12;
    /** RX_PINGS_LOST_BEFORE_DEAD, rx.h: ping interval = dead time / 6. */
    public static final int RX_PINGS_LOST_BEFORE_DEAD = 6;
    /** RX_CHALLENGE_TIMEOUT, rx.h, seconds between CHALLENGE retransmissions. */
    public static final int RX_CHALLENGE_TIMEOUT = 2;
    /** RX_CHALLENGE_MAXTRIES, rx.h. */
    public static final int RX_CHALLENGE_MAXTRIES = 50;
    /** rx_idleConnectionTime, rx_globals.h, seconds before an idle server connection is collected. */
    public static final int RX_IDLE_CONNECTION_TIME = 700;

    /** Body size of a VERSION answer: 65 NUL-padded bytes (rx_packet.c rxi_ReceiveVersionPacket). */
    public static final int RX_VERSION_STRING_SIZE = 65;
    /** rx_debugIn: int32 type, int32 index. */
    public static final int RX_DEBUG_IN_SIZE = 8;
    public static final int RX_DEBUGI_GETSTATS = 1;
    public static final int RX_DEBUGI_GETCONN = 2;
    public static final int RX_DEBUGI_GETALLCONN = 3;
    public static final int RX_DEBUGI_RXSTATS = 4;
    public static final int RX_DEBUGI_GETPEER = 5;
    /** RX_DEBUGI_BADTYPE, rx.h: answer to an unknown debug request type. */
    public static final int RX_DEBUGI_BADTYPE = -8;
    /** RX_DEBUGI_VERSION, rx.h: 'S', the rxdebug protocol revision of OpenAFS 1.8. */
    public static final int RX_DEBUGI_VERSION = 'S';

    /** Reads a packet type's OpenAFS name, for logs. */
    public static String typeName(int type) {
        switch (type) {
            case RX_PACKET_TYPE_DATA: return "DATA";
            case RX_PACKET_TYPE_ACK: return "ACK";
            case RX_PACKET_TYPE_BUSY: return "BUSY";
            case RX_PACKET_TYPE_ABORT: return "ABORT";
            case RX_PACKET_TYPE_ACKALL: return "ACKALL";
            case RX_PACKET_TYPE_CHALLENGE: return "CHALLENGE";
            case RX_PACKET_TYPE_RESPONSE: return "RESPONSE";
            case RX_PACKET_TYPE_DEBUG: return "DEBUG";
            case RX_PACKET_TYPE_VERSION: return "VERSION";
            default: return "type" + type;
        }
    }
}
