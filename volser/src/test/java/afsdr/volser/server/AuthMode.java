package afsdr.volser.server;

import afsdr.realcell.RealCell;
import afsdr.rx.rxkad.KeyFile;
import afsdr.rx.rxkad.KeyFileExt;
import afsdr.rx.rxkad.RxkadClientSecurity;
import afsdr.rx.rxkad.RxkadLevel;
import afsdr.rx.security.ClientSecurity;
import afsdr.rx.security.RxNullSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * The ways the VOLSER interop scenarios run: in the shared noauth cell with {@code vos -noauth},
 * or in the shared auth cell (no NoAuth anywhere) with {@code vos -localauth}, clear or
 * {@code -encrypt}. Our own test clients follow suit: rxnull, or rxkad with a localauth ticket
 * from the cell key at the same level.
 */
enum AuthMode {
    NOAUTH(false, List.of("-noauth"), List.of()),
    LOCALAUTH(true, List.of("-localauth"), List.of()),
    /** Our server also encrypts what it forwards when the asking call was encrypted. */
    ENCRYPT(true, List.of("-localauth", "-encrypt"), List.of("-s2scrypt", "inherit"));

    final boolean auth;
    /** What vos gets for credentials. */
    final List<String> vosArgs;
    /** Extra switches of our volserver. */
    final List<String> serverArgs;

    AuthMode(boolean auth, List<String> vosArgs, List<String> serverArgs) {
        this.auth = auth;
        this.vosArgs = vosArgs;
        this.serverArgs = serverArgs;
    }

    /** The mode of the class JUnit is running: its {@link InMode}, else noauth. */
    static AuthMode of(java.util.Optional<Class<?>> testClass) {
        return testClass.map(c -> c.getAnnotation(InMode.class)).map(InMode::value).orElse(NOAUTH);
    }

    RealCell cell() {
        return auth ? RealCell.sharedAuth() : RealCell.shared();
    }

    /** The caller name our VolserLog and audit records show for vos: the localauth identity or NoAuth. */
    String callerName() {
        return auth ? SuperUserCheck.LOCALAUTH_NAME : SuperUserCheck.NOAUTH_CALLER;
    }

    /** {@code args} followed by this mode's vos credential switches. */
    String[] vos(String... args) {
        String[] a = new String[args.length + vosArgs.size()];
        System.arraycopy(args, 0, a, 0, args.length);
        for (int i = 0; i < vosArgs.size(); i++) {
            a[args.length + i] = vosArgs.get(i);
        }
        return a;
    }

    /** Our own client's security: rxnull, or what {@code -localauth} (and {@code -encrypt}) would use. */
    ClientSecurity clientSecurity(RealCell cell) {
        if (!auth) {
            return RxNullSecurity.INSTANCE;
        }
        return RxkadClientSecurity.localAuth(keyFile(cell), keyFileExt(cell),
            this == ENCRYPT ? RxkadLevel.CRYPT : RxkadLevel.CLEAR, new SecureRandom());
    }

    /**
     * rxkad as a user of the cell would hold it: a Kerberos 4 style ticket for
     * {@code name.instance@realm}, valid from now for ten hours, sealed with the cell's DES key.
     */
    static ClientSecurity userTicket(RealCell cell, RxkadLevel level, String name, String instance, String realm) {
        KeyFile.Key key = keyFile(cell).latest().orElseThrow();
        byte[] session = RxkadClientSecurity.randomDesKey(new SecureRandom());
        // life byte 120: 120 x 5 minutes
        byte[] ticket = new afsdr.rx.rxkad.Krb4Ticket(name, instance, realm, 0, session, 120,
            System.currentTimeMillis() / 1000, "afs", "").seal(key.key());
        return new RxkadClientSecurity(level, session, key.kvno(), ticket);
    }

    static KeyFile keyFile(RealCell cell) {
        try {
            return KeyFile.parse(Files.readAllBytes(cell.serverConfigDir().resolve("KeyFile")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyFileExt keyFileExt(RealCell cell) {
        Path ext = cell.serverConfigDir().resolve("KeyFileExt");
        try {
            return Files.isRegularFile(ext) ? KeyFileExt.parse(Files.readAllBytes(ext)) : new KeyFileExt(List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
