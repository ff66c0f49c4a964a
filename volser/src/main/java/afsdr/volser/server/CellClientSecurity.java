package afsdr.volser.server;

import afsdr.rx.RxConnectionInfo;
import afsdr.rx.rxkad.KeyFile;
import afsdr.rx.rxkad.KeyFileExt;
import afsdr.rx.rxkad.RxkadClientSecurity;
import afsdr.rx.rxkad.RxkadIdentity;
import afsdr.rx.rxkad.RxkadLevel;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.RxNullSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How this server authenticates when it is the client: to another volserver for Forward /
 * ForwardMultiple, and to the VL servers for its address registration. Like the stock volserver,
 * it makes a localauth ticket ({@code afs}, never expiring) from the cell key
 * ({@link RxkadClientSecurity#localAuth(KeyFile, KeyFileExt, RxkadLevel, RandomGenerator)}: the
 * newest AES KeyFileExt key, else the newest KeyFile DES key).
 *
 * <p>The key files are read at each use, so a key added by {@code asetkey} on a running server is
 * used from the next call on, as the stock server's configuration reload does.
 *
 * <ul>
 * <li>Volserver to volserver: always rxkad when the server has a KeyFile (the stock server forwards
 * with rxkad even in a NoAuth cell), rxnull without one. The level follows {@code -s2scrypt}
 * (volserver(8)): {@code never} clear, {@code always} crypt, {@code inherit} crypt when the call
 * that asked for the transfer came in encrypted.</li>
 * <li>To the VL servers: rxnull when NoAuth is set (a NoAuth cell may have no usable key), else
 * rxkad clear from the cell key.</li>
 * </ul>
 */
final class CellClientSecurity {
    private static final System.Logger LOG = System.getLogger(CellClientSecurity.class.getName());

    private final Path configDir;
    private final Path noAuthFile;
    private final VolserverOptions.S2sCrypt s2sCrypt;
    private final RandomGenerator random;

    CellClientSecurity(Path configDir, Path localDir, VolserverOptions.S2sCrypt s2sCrypt, RandomGenerator random) {
        this.configDir = configDir;
        this.noAuthFile = localDir.resolve("NoAuth");
        this.s2sCrypt = s2sCrypt;
        this.random = random;
    }

    /** The security class of a Forward connection made on behalf of the call on {@code incoming}. */
    ClientSecurity forVolserver(RxConnectionInfo incoming) {
        return localAuth(s2sLevel(s2sCrypt, incoming));
    }

    /**
     * How a client security class shows in our VolserLog: {@code rxnull}, or {@code rxkad} with its
     * level. The operator (and the tests) can then see what a Forward really used.
     */
    static String describe(ClientSecurity security) {
        if (security instanceof RxkadClientSecurity k) {
            return "rxkad " + k.level().name().toLowerCase(java.util.Locale.ROOT);
        }
        return security.securityIndex() == 0 ? "rxnull" : "security index " + security.securityIndex();
    }

    /** The security class of a connection to a VL server. */
    ClientSecurity forVlserver() {
        if (Files.exists(noAuthFile)) {
            return RxNullSecurity.INSTANCE;
        }
        return localAuth(RxkadLevel.CLEAR);
    }

    /** The -s2scrypt rule; {@code incoming} may be null (no call caused the transfer). */
    static RxkadLevel s2sLevel(VolserverOptions.S2sCrypt mode, RxConnectionInfo incoming) {
        return switch (mode) {
            case NEVER -> RxkadLevel.CLEAR;
            case ALWAYS -> RxkadLevel.CRYPT;
            case INHERIT -> incoming != null && incoming.securityIdentity() instanceof RxkadIdentity id
                    && id.level() == RxkadLevel.CRYPT ? RxkadLevel.CRYPT : RxkadLevel.CLEAR;
        };
    }

    private ClientSecurity localAuth(RxkadLevel level) {
        Path keyFile = configDir.resolve("KeyFile");
        Path extFile = configDir.resolve("KeyFileExt");
        try {
            if (!Files.isRegularFile(keyFile) && !Files.isRegularFile(extFile)) {
                return RxNullSecurity.INSTANCE;
            }
            KeyFile keys = Files.isRegularFile(keyFile) ? KeyFile.parse(Files.readAllBytes(keyFile))
                : new KeyFile(List.of());
            KeyFileExt ext = Files.isRegularFile(extFile) ? KeyFileExt.parse(Files.readAllBytes(extFile))
                : new KeyFileExt(List.of());
            return RxkadClientSecurity.localAuth(keys, ext, level, random);
        } catch (IOException | IllegalStateException e) {
            // an unreadable or empty key file: go on unauthenticated, as the stock tools do
            // ("running unauthenticated"); the peer decides whether that is enough
            LOG.log(System.Logger.Level.WARNING, "cannot make a localauth ticket from " + configDir + ": " + e.getMessage()
                + "; using rxnull");
            return RxNullSecurity.INSTANCE;
        }
    }
}
