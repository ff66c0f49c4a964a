package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.realcell.Interop;
import afsdr.realcell.RealCell;
import afsdr.rx.RxCall;
import afsdr.rx.RxCallException;
import afsdr.rx.RxClientConnection;
import afsdr.rx.netty.RxEndpoint;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our rxkad client, minting a localauth ticket from the cell's KeyFile the way {@code vos
 * -localauth} does, against the stock vlserver of a real cell in auth mode: the vlserver must
 * accept our response and our clear/crypt packets, and refuse a ticket sealed with another key.
 */
@Interop
class RxkadClientAgainstStockVlserverInteropTest {
    static final int VL_SERVICE = 52;
    static final int VL_GET_STATS = 513; // vldb.md: no arguments; vldstats + vital_vlheader back

    static RealCell cell;
    static RxEndpoint endpoint;
    static KeyFile keys;

    @BeforeAll
    static void up() throws Exception {
        cell = RealCell.shared(RealCell.Options.defaults().withStockNodes(RealCell.DB).withAuth(true));
        keys = KeyFile.parse(Files.readAllBytes(cell.serverConfigDir().resolve("KeyFile")));
        endpoint = RxEndpoint.builder().bind(cell.address(RealCell.J1), 0).build();
    }

    @AfterAll
    static void down() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static int getStats(RxkadClientSecurity security) throws Exception {
        try (RxClientConnection c = endpoint.connect(new InetSocketAddress(cell.address(RealCell.DB), 7003), VL_SERVICE,
                security)) {
            c.setDeadTimeSeconds(30);
            RxCall call = c.newCall();
            new DataOutputStream(call.output()).writeInt(VL_GET_STATS);
            byte[] reply = call.input().readAllBytes();
            c.endCall(call);
            return reply.length;
        }
    }

    @Test
    void stockKeyFileParses() {
        assertEquals(1, keys.keys().size(), keys.toString());
    }

    @Test
    void clearAndCryptCallsAreAccepted() throws Exception {
        for (RxkadLevel level : List.of(RxkadLevel.CLEAR, RxkadLevel.AUTH, RxkadLevel.CRYPT)) {
            int n = getStats(RxkadClientSecurity.localAuth(keys, level, new SecureRandom()));
            assertTrue(n > 100, level + ": GetStats reply of " + n + " bytes");
        }
    }

    /**
     * An AES key added to the cell's KeyFileExt while the vlserver runs (OpenAFS re-reads its
     * configuration when it changes): our krb5 localauth ticket must open with it.
     */
    @Test
    void aesKeyFileExtTicketIsAccepted() throws Exception {
        byte[] aes = new byte[32];
        new SecureRandom().nextBytes(aes);
        KeyFileExt ext = new KeyFileExt(List.of(new KeyFileExt.Key(KeyFileExt.AFSCONF_RXKAD_KRB5, 9, 18, aes)));
        java.nio.file.Path file = cell.serverConfigDir().resolve("KeyFileExt");
        Files.write(file, ext.encode());
        try {
            // OpenAFS re-reads its whole config (key files included) when CellServDB's mtime moves
            Thread.sleep(1100);
            java.nio.file.Path csdb = cell.serverConfigDir().resolve("CellServDB");
            Files.setLastModifiedTime(csdb, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            int n = getStats(RxkadClientSecurity.localAuth(keys, ext, RxkadLevel.CRYPT, new SecureRandom()));
            assertTrue(n > 100, "GetStats reply of " + n + " bytes");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void ticketUnderAnotherKeyIsRefused() {
        KeyFile wrong = new KeyFile(List.of(new KeyFile.Key(keys.latest().orElseThrow().kvno(),
                HexFormat.of().parseHex("fedcba9876543210"))));
        RxCallException e = assertThrows(RxCallException.class,
                () -> getStats(RxkadClientSecurity.localAuth(wrong, RxkadLevel.CLEAR, new SecureRandom())));
        assertEquals(RxkadErrors.RXKADBADTICKET, e.code(), e.getMessage());
    }
}
