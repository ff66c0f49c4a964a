package afsdr.rx.rxkad;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.security.RxSecurityConnection;
import afsdr.rx.security.RxSecurityException;
import afsdr.rx.security.ServerSecurity;
import afsdr.rx.security.ServerSecurityContext;
import io.netty.buffer.ByteBuf;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The server side of rxkad ({@code rxkad_NewServerSecurityObject}; rxkad.md §3, §4.3, §7).
 * Registered for security index 2 with the service's minimum level, and for index 3 with
 * {@link RxkadLevel#CRYPT}.
 *
 * <p>No clock is read here: the Rx layer passes the current time to the two checks that need it,
 * ticket validation at response time and the per-packet expiry check.
 *
 * <p>Challenges are always sent in the v2 form. OpenAFS sends the old form until it has seen a
 * checksummed DATA packet, but our Rx layer does not show us packets before authentication, and
 * every OpenAFS client since the v2 form appeared answers it (and always checksums anyway).
 */
public final class RxkadServerSecurity implements ServerSecurity {
    private final int securityIndex;
    private final RxkadLevel minLevel;
    private final RxkadTicketDecoder tickets;
    private final RandomGenerator random;

    /**
     * @param random source of challenge ids (a SecureRandom in production: a predictable challenge
     *        lets a recorded response be replayed)
     */
    public RxkadServerSecurity(int securityIndex, RxkadLevel minLevel, RxkadTicketDecoder tickets,
            RandomGenerator random) {
        this.securityIndex = securityIndex;
        this.minLevel = Objects.requireNonNull(minLevel);
        this.tickets = Objects.requireNonNull(tickets);
        this.random = Objects.requireNonNull(random);
    }

    @Override
    public int securityIndex() {
        return securityIndex;
    }

    @Override
    public ServerSecurityContext newServerContext(RxSecurityConnection connection) {
        return new Context(connection);
    }

    private final class Context implements ServerSecurityContext {
        private final RxSecurityConnection conn;
        private RxkadLevel level = minLevel;
        private byte[] challenge;
        private int challengeId;
        private RxkadPacketCrypto crypto;
        private RxkadIdentity identity;
        private long expiration;
        private boolean cksumSeen;

        Context(RxSecurityConnection conn) {
            this.conn = conn;
        }

        @Override
        public int headerSize() {
            return level.headerSize();
        }

        @Override
        public int maxTrailerSize() {
            return level.maxTrailerSize();
        }

        @Override
        public boolean isAuthenticated() {
            return crypto != null;
        }

        @Override
        public byte[] challenge() {
            if (challenge == null) {
                challengeId = random.nextInt();
                challenge = new RxkadChallenge(true, challengeId, minLevel.wire()).encode();
            }
            return challenge.clone();
        }

        @Override
        public Accepted checkResponse(ByteBuf body, long now) throws RxSecurityException {
            if (challenge == null) {
                throw new RxSecurityException(RxkadErrors.RXKADINCONSISTENCY, "rxkad response before any challenge");
            }
            RxkadResponse r = RxkadResponse.decode(body, true);
            RxkadTicketDecoder.Decoded t = tickets.decode(r.kvno(), r.ticket(), now);
            TicketTimes.Validity v = TicketTimes.check(t.start(), t.end(), now);
            if (v != TicketTimes.Validity.VALID) {
                throw new RxSecurityException(v.code(), "rxkad ticket of " + t.identity() + ": " + v);
            }
            RxkadResponse.Opened o = r.open(t.sessionKey());
            RxkadLevel agreed = o.verify(true, conn.epoch(), conn.cid(), conn.securityIndex(), challengeId, minLevel);
            level = agreed;
            crypto = new RxkadPacketCrypto(t.sessionKey(), conn.epoch(), conn.cid(), conn.securityIndex());
            expiration = t.end();
            identity = t.identity().withLevel(agreed);
            return new Accepted(identity, o.callNumbers());
        }

        @Override
        public Object identity() {
            return identity;
        }

        private RxkadPacketCrypto crypto() throws RxSecurityException {
            if (crypto == null) {
                throw new RxSecurityException(RxkadErrors.RXKADUNKNOWNKEY, "rxkad connection not authenticated");
            }
            return crypto;
        }

        @Override
        public int preparePacket(RxHeader h, ByteBuf buf, int bodyOffset, int userLength) throws RxSecurityException {
            RxkadPacketCrypto c = crypto();
            h.spare = c.headerChecksum(h.callNumber, h.cid, h.seq);
            return c.prepare(level, h.callNumber, h.seq, buf, bodyOffset, userLength);
        }

        @Override
        public int checkPacket(RxHeader h, ByteBuf buf, int bodyOffset, int bodyLength, long now)
                throws RxSecurityException {
            RxkadPacketCrypto c = crypto();
            if (expiration != TicketTimes.NEVERDATE && now >= expiration) {
                throw new RxSecurityException(RxkadErrors.RXKADEXPIRED, "rxkad ticket of " + identity
                        + " expired at " + expiration);
            }
            return checkSealed(c, level, h, buf, bodyOffset, bodyLength, cksumSeen || h.spare != 0, this::sawChecksum);
        }

        private void sawChecksum() {
            cksumSeen = true;
        }
    }

    /** The receive path shared with the client: header checksum (once any was seen), then the body. */
    static int checkSealed(RxkadPacketCrypto c, RxkadLevel level, RxHeader h, ByteBuf buf, int bodyOffset,
            int bodyLength, boolean verifyChecksum, Runnable sawChecksum) throws RxSecurityException {
        if (verifyChecksum) {
            c.checkHeaderChecksum(h.spare, h.callNumber, h.cid, h.seq);
            sawChecksum.run();
        }
        return c.check(level, h.callNumber, h.seq, buf, bodyOffset, bodyLength);
    }
}
