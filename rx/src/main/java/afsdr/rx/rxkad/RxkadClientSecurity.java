package afsdr.rx.rxkad;

import afsdr.rx.packet.RxHeader;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.ClientSecurityContext;
import afsdr.rx.security.RxSecurityConnection;
import afsdr.rx.security.RxSecurityException;
import io.netty.buffer.ByteBuf;
import java.security.InvalidKeyException;
import java.util.Objects;
import java.util.random.RandomGenerator;
import javax.crypto.spec.DESKeySpec;

/**
 * The client side of rxkad ({@code rxkad_NewClientSecurityObject}; rxkad.md §10): a level, a
 * session key and the ticket that carries it to the server. One instance serves any number of
 * connections; each gets its own checksum IV.
 */
public final class RxkadClientSecurity implements ClientSecurity {
    private final RxkadLevel level;
    private final byte[] sessionKey;
    private final int kvno;
    private final byte[] ticket;

    /**
     * @param kvno the response kvno field: key version for a Kerberos 4 ticket, or a ticket type
     *        (213, 256)
     */
    public RxkadClientSecurity(RxkadLevel level, byte[] sessionKey, int kvno, byte[] ticket) {
        if (sessionKey.length != 8) {
            throw new IllegalArgumentException("rxkad session key must be 8 bytes");
        }
        if (ticket.length < RxkadResponse.MINKTCTICKETLEN || ticket.length > RxkadResponse.MAXKTCTICKETLEN) {
            throw new IllegalArgumentException("rxkad ticket of " + ticket.length + " bytes");
        }
        this.level = Objects.requireNonNull(level);
        this.sessionKey = sessionKey.clone();
        this.kvno = kvno;
        this.ticket = ticket.clone();
    }

    /**
     * What {@code -localauth} does when the cell has only KeyFile DES keys (rxkad.md §9 step 5):
     * a random session key in a never-expiring {@code afs} ticket sealed with the latest key.
     *
     * @param random source of the session key (a SecureRandom in production)
     * @throws IllegalStateException the KeyFile holds no usable key
     */
    public static RxkadClientSecurity localAuth(KeyFile keys, RxkadLevel level, RandomGenerator random) {
        KeyFile.Key key = keys.latest().orElseThrow(() -> new IllegalStateException("KeyFile has no usable key"));
        byte[] session = randomDesKey(random);
        return new RxkadClientSecurity(level, session, key.kvno(), Krb4Ticket.localAuth(session).seal(key.key()));
    }

    /**
     * {@code -localauth} with both key files (rxkad.md §9): the highest-kvno KeyFileExt
     * rxkad_krb5 key if it is aes256 (18) or else aes128 (17) gets a Kerberos 5 ticket (kvno 213);
     * otherwise the latest KeyFile DES key gets a Kerberos 4 style one. (OpenAFS would also take
     * enctypes 23 and 16, which we cannot encrypt yet.)
     */
    public static RxkadClientSecurity localAuth(KeyFile keys, KeyFileExt extKeys, RxkadLevel level,
            RandomGenerator random) {
        for (int enctype : new int[] {Krb5Crypto.AES256_CTS_HMAC_SHA1_96, Krb5Crypto.AES128_CTS_HMAC_SHA1_96}) {
            KeyFileExt.Key best = extKeys.keys().stream()
                    .filter(k -> k.type() == KeyFileExt.AFSCONF_RXKAD_KRB5 && k.subType() == enctype)
                    .max((a, b) -> Integer.compare(a.kvno(), b.kvno())).orElse(null);
            if (best != null) {
                byte[] session = randomDesKey(random);
                byte[] ticket = Krb5Ticket.mintLocalAuth(enctype, best.kvno(), best.key(), session, random);
                return new RxkadClientSecurity(level, session, RxkadTicketDecoder.RXKAD_TKT_TYPE_KERBEROS_V5_ENCPART_ONLY,
                        ticket);
            }
        }
        return localAuth(keys, level, random);
    }

    /** A random DES key with odd parity that is not weak or semi-weak. */
    public static byte[] randomDesKey(RandomGenerator random) {
        byte[] k = new byte[8];
        try {
            do {
                random.nextBytes(k);
                for (int i = 0; i < 8; i++) {
                    int b = k[i] & 0xfe;
                    k[i] = (byte) (b | ((Integer.bitCount(b) & 1) ^ 1));
                }
            } while (DESKeySpec.isWeak(k, 0));
        } catch (InvalidKeyException e) {
            throw new AssertionError(e); // 8 bytes are always enough
        }
        return k;
    }

    public RxkadLevel level() {
        return level;
    }

    @Override
    public int securityIndex() {
        return afsdr.rx.packet.RxConstants.RX_SECIDX_KAD;
    }

    @Override
    public ClientSecurityContext newClientContext(RxSecurityConnection connection) {
        return new Context(connection);
    }

    private final class Context implements ClientSecurityContext {
        private final RxSecurityConnection conn;
        private final RxkadPacketCrypto crypto;
        private boolean cksumSeen;

        Context(RxSecurityConnection conn) {
            this.conn = conn;
            this.crypto = new RxkadPacketCrypto(sessionKey, conn.epoch(), conn.cid(), conn.securityIndex());
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
        public byte[] respond(ByteBuf body, int[] callNumbers) throws RxSecurityException {
            RxkadChallenge c = RxkadChallenge.decode(body);
            if (c.level() > level.wire()) {
                throw new RxSecurityException(RxkadErrors.RXKADLEVELFAIL,
                        "server wants rxkad level " + c.level() + ", we run " + level.wire());
            }
            if (c.v2()) {
                return RxkadResponse.encodeV2(sessionKey, conn.epoch(), conn.cid(), conn.securityIndex(), callNumbers,
                        c.challengeId() + 1, level.wire(), kvno, ticket);
            }
            return RxkadResponse.encodeOld(sessionKey, c.challengeId() + 1, level.wire(), kvno, ticket);
        }

        @Override
        public int preparePacket(RxHeader h, ByteBuf buf, int bodyOffset, int userLength) throws RxSecurityException {
            h.spare = crypto.headerChecksum(h.callNumber, h.cid, h.seq);
            return crypto.prepare(level, h.callNumber, h.seq, buf, bodyOffset, userLength);
        }

        @Override
        public int checkPacket(RxHeader h, ByteBuf buf, int bodyOffset, int bodyLength, long nowSeconds)
                throws RxSecurityException {
            return RxkadServerSecurity.checkSealed(crypto, level, h, buf, bodyOffset, bodyLength,
                    cksumSeen || h.spare != 0, () -> cksumSeen = true);
        }
    }
}
