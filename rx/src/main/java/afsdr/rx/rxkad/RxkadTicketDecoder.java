package afsdr.rx.rxkad;

import afsdr.rx.security.RxSecurityException;

/**
 * Opens the ticket of an rxkad RESPONSE ({@code tkt_DecodeTicket} / {@code tkt_DecodeTicket5},
 * selected by kvno; rxkad.md §6).
 */
@FunctionalInterface
public interface RxkadTicketDecoder {

    /** What a ticket yields: the client, its session key and the ticket's validity window. */
    record Decoded(RxkadIdentity identity, byte[] sessionKey, long start, long end) {}

    /**
     * @param now current Unix time, seconds
     * @throws RxSecurityException with the rxkad code (RXKADUNKNOWNKEY, RXKADBADTICKET,
     *         RXKADEXPIRED, ...)
     */
    Decoded decode(int kvno, byte[] ticket, long now) throws RxSecurityException;

    /** {@code RXKAD_TKT_TYPE_KERBEROS_V5}: the ticket is a whole Kerberos 5 Ticket. */
    int RXKAD_TKT_TYPE_KERBEROS_V5 = 256;
    /** {@code RXKAD_TKT_TYPE_KERBEROS_V5_ENCPART_ONLY}: only its EncryptedData. */
    int RXKAD_TKT_TYPE_KERBEROS_V5_ENCPART_ONLY = 213;
    /** Highest kvno of a Kerberos 4 style ticket. */
    int MAX_KRB4_KVNO = 255;

    /**
     * Kerberos 4 style tickets sealed with a KeyFile DES key (kvno 0..255). Kerberos 5 ticket
     * types are refused with RXKADBADTICKET: their decoder (RFC 3961 AES, DER) is not written yet.
     */
    static RxkadTicketDecoder keyFile(KeyFile keys) {
        return (kvno, ticket, now) -> {
            if (kvno == RXKAD_TKT_TYPE_KERBEROS_V5 || kvno == RXKAD_TKT_TYPE_KERBEROS_V5_ENCPART_ONLY) {
                throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "Kerberos 5 ticket (kvno " + kvno
                        + ") not supported by the KeyFile decoder");
            }
            if (kvno < 0 || kvno > MAX_KRB4_KVNO) {
                throw new RxSecurityException(RxkadErrors.RXKADBADTICKET, "ticket type " + kvno + " not supported");
            }
            KeyFile.Key key = keys.key(kvno).orElseThrow(() -> new RxSecurityException(
                    RxkadErrors.RXKADUNKNOWNKEY, "no KeyFile key with kvno " + kvno));
            Krb4Ticket t = Krb4Ticket.open(ticket, key.key(), now);
            return new Decoded(new RxkadIdentity(t.name(), t.instance(), t.cell(), kvno, t.end()), t.sessionKey(),
                    t.start(), t.end());
        };
    }

    /**
     * Both ticket families, as an OpenAFS 1.8 server takes them: Kerberos 4 style under KeyFile
     * DES keys (kvno 0..255), Kerberos 5 (213, 256) under KeyFileExt rxkad_krb5 keys by (kvno,
     * enctype).
     */
    static RxkadTicketDecoder keyFiles(KeyFile keys, KeyFileExt extKeys) {
        RxkadTicketDecoder krb4 = keyFile(keys);
        return (kvno, ticket, now) -> {
            if (kvno != RXKAD_TKT_TYPE_KERBEROS_V5 && kvno != RXKAD_TKT_TYPE_KERBEROS_V5_ENCPART_ONLY) {
                return krb4.decode(kvno, ticket, now);
            }
            Krb5Ticket t = Krb5Ticket.open(ticket, kvno == RXKAD_TKT_TYPE_KERBEROS_V5,
                    (k, etype) -> extKeys.key(KeyFileExt.AFSCONF_RXKAD_KRB5, k, etype).orElseThrow(
                            () -> new RxSecurityException(RxkadErrors.RXKADUNKNOWNKEY,
                                    "no KeyFileExt rxkad_krb5 key kvno " + k + " enctype " + etype)).key(),
                    now);
            return new Decoded(new RxkadIdentity(t.name(), t.instance(), t.realm(), kvno, t.end()), t.sessionKey(),
                    t.start(), t.end());
        };
    }
}
