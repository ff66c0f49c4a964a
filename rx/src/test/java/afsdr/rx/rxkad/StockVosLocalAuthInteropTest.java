package afsdr.rx.rxkad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import afsdr.rx.interop.FakeVolser;
import afsdr.rx.netty.RxEndpoint;
import afsdr.rx.packet.RxConstants;
import afsdr.rx.security.RxNullSecurity;
import afsdr.rx.security.ServerSecurity;
import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stock {@code vos -localauth} (OpenAFS 1.8) against our endpoint with rxkad: vos mints a
 * Kerberos 4 style ticket from the KeyFile we wrote, answers our challenge, and checksums (clear)
 * or encrypts ({@code -encrypt}) its packets; we must accept all of it and read its request.
 * Needs the stock binaries and a network namespace of our own (127.1.0.4 is on its lo).
 */
@Tag("interop")
class StockVosLocalAuthInteropTest {
    static final String HOST = FakeVolser.HOST;
    static final byte[] CELL_KEY = HexFormat.of().parseHex("0123456789abcdef"); // odd parity (realcell G10)

    @TempDir
    Path serverDir;
    @TempDir
    Path clientDir;
    RxEndpoint endpoint;
    final List<Object> identities = new CopyOnWriteArrayList<>();
    final List<Integer> indices = new CopyOnWriteArrayList<>();

    static final byte[] AES_KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final KeyFileExt EXT = new KeyFileExt(List.of(new KeyFileExt.Key(KeyFileExt.AFSCONF_RXKAD_KRB5, 3, 18, AES_KEY)));

    void start(RxkadLevel min) throws Exception {
        KeyFile keys = new KeyFile(List.of(new KeyFile.Key(7, CELL_KEY)));
        ServerSecurity rxkad = new RxkadServerSecurity(RxConstants.RX_SECIDX_KAD, min, RxkadTicketDecoder.keyFiles(keys, EXT),
                new SecureRandom());
        endpoint = RxEndpoint.builder().bind(InetAddress.getByName(HOST), FakeVolser.VOLSER_PORT).build();
        endpoint.addService(FakeVolser.VOLSERVICE_ID, Map.of(0, RxNullSecurity.INSTANCE, 2, rxkad), call -> {
            identities.add(call.connection().securityIdentity());
            indices.add(call.connection().securityIndex());
            FakeVolser.answerXListPartitions(call);
        });
    }

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    /** A client config dir with the given key in its KeyFile (what -localauth seals with). */
    private String config(byte[] key) throws Exception {
        Files.write(clientDir.resolve("KeyFile"), new KeyFile(List.of(new KeyFile.Key(7, key))).encode());
        return FakeVolser.writeClientConfig(clientDir);
    }

    private static String vos(String... args) throws Exception {
        File log = File.createTempFile("vos", ".out");
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("vos"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("vos did not finish: " + Files.readString(log.toPath()));
            }
            String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            System.out.println("$ vos " + String.join(" ", args) + " -> " + p.exitValue() + "\n" + out);
            return p.exitValue() + "\n" + out;
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }

    @Test
    void localAuthClear() throws Exception {
        start(RxkadLevel.CLEAR);
        String out = vos("listpart", HOST, "-localauth", "-config", config(CELL_KEY));
        assertTrue(out.startsWith("0\n") && out.contains("/vicepa") && out.contains("/vicepc"), out);
        assertEquals(List.of(2), indices);
        RxkadIdentity id = (RxkadIdentity) identities.get(0);
        assertTrue(id.isLocalAuthSuperUser(), id.toString());
        assertEquals(7, id.kvno());
    }

    @Test
    void localAuthEncrypt() throws Exception {
        start(RxkadLevel.CRYPT);
        String out = vos("listpart", HOST, "-localauth", "-encrypt", "-config", config(CELL_KEY));
        assertTrue(out.startsWith("0\n") && out.contains("Total: 2"), out);
        assertTrue(((RxkadIdentity) identities.get(0)).isLocalAuthSuperUser());
    }

    @Test
    void localAuthWithAesKeyFileExt() throws Exception {
        start(RxkadLevel.CLEAR);
        String dir = config(CELL_KEY);
        Files.write(clientDir.resolve("KeyFileExt"), EXT.encode());
        String out = vos("listpart", HOST, "-localauth", "-encrypt", "-config", dir);
        assertTrue(out.startsWith("0\n") && out.contains("Total: 2"), out);
        RxkadIdentity id = (RxkadIdentity) identities.get(0);
        assertEquals(RxkadTicketDecoder.RXKAD_TKT_TYPE_KERBEROS_V5_ENCPART_ONLY, id.kvno(), "vos must prefer the AES key");
        assertTrue(id.isLocalAuthSuperUser(), id.toString());
    }

    @Test
    void wrongCellKeyIsRefused() throws Exception {
        start(RxkadLevel.CLEAR);
        String out = vos("listpart", HOST, "-localauth", "-config", config(HexFormat.of().parseHex("fedcba9876543210")));
        assertNotEquals('0', out.charAt(0), out);
        assertTrue(identities.isEmpty(), "no call may run with a forged ticket");
    }
}
