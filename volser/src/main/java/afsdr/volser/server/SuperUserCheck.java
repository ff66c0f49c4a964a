package afsdr.volser.server;

import afsdr.rx.RxConnectionInfo;
import afsdr.rx.rxkad.RxkadIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The one authorization decision of the volserver (afsconf_SuperUser, volser.md §3): may this
 * connection's caller run the procedures marked SU?
 * <ul>
 * <li>The NoAuth file in the local directory makes every caller a superuser. It is looked up on
 * every check, as the stock server does, so {@code bos setauth} takes effect without a restart.</li>
 * <li>An rxnull (unauthenticated) connection is never a superuser otherwise.</li>
 * <li>An authenticated connection is a superuser when its identity is the localauth identity
 * ({@code afs} with empty instance and cell, whose name the identity renders as "afs") or is listed
 * in the server's UserList. How an identity is rendered as a name is the security class's business
 * ({@code identityName}); rxkad fills the identity in.</li>
 * </ul>
 */
final class SuperUserCheck {
    /** The caller name the stock server logs for everyone when NoAuth is set. */
    static final String NOAUTH_CALLER = "<NoAuth>";
    /** The caller name of an unauthenticated connection in audit records. */
    static final String UNAUTH_CALLER = "--UnAuth--";
    /** The name of the localauth identity. */
    static final String LOCALAUTH_NAME = "afs";

    private final Path noAuthFile;
    private final List<String> userList;
    private final Function<Object, String> identityName;

    SuperUserCheck(Path localDir, List<String> userList, Function<Object, String> identityName) {
        this.noAuthFile = localDir.resolve("NoAuth");
        this.userList = List.copyOf(userList);
        this.identityName = identityName;
    }

    /**
     * How rxkad identities are named for this check and the logs: the localauth identity is
     * {@code afs}; a user of our own cell (empty cell, or the cell named in ThisCell, compared
     * without case as realms are upper-case) is {@code name[.instance]}, the form UserList entries
     * take; a user of another cell keeps {@code @cell}, so no local entry matches it.
     */
    static Function<Object, String> rxkadNames(String thisCell) {
        return id -> {
            if (id instanceof RxkadIdentity r) {
                if (r.isLocalAuthSuperUser()) {
                    return LOCALAUTH_NAME;
                }
                String local = r.name() + (r.instance().isEmpty() ? "" : "." + r.instance());
                return r.cell().isEmpty() || r.cell().equalsIgnoreCase(thisCell) ? local : local + "@" + r.cell();
            }
            return String.valueOf(id);
        };
    }

    boolean noAuth() {
        return Files.exists(noAuthFile);
    }

    /** The caller's name as logs show it. */
    String callerName(RxConnectionInfo c) {
        if (c.securityIdentity() != null) {
            return identityName.apply(c.securityIdentity());
        }
        return noAuth() ? NOAUTH_CALLER : UNAUTH_CALLER;
    }

    boolean isSuperUser(RxConnectionInfo c) {
        if (noAuth()) {
            return true;
        }
        Object id = c.securityIdentity();
        if (c.securityIndex() == 0 || id == null) {
            return false;
        }
        String name = identityName.apply(id);
        return LOCALAUTH_NAME.equals(name) || userList.contains(name);
    }
}
