package afsdr.volser.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of our volserver: every switch of the stock 1.8 volserver(8), with the same
 * meaning, plus a few of our own for running without root (each documented in {@link #USAGE}).
 *
 * <p>Parsing follows the AFS "cmd" package that the stock binary uses: a switch may be abbreviated
 * to any prefix that names only one switch (an exact name always wins), and an unknown or ambiguous
 * switch is refused with "Unrecognized or ambiguous switch". A bad command line is a
 * {@link UsageException}; {@code -help} asks for the usage text.
 */
public final class VolserverOptions {

    /** Default thread count of the stock volserver ({@code -p}); 1.8 accepts 4..16. */
    public static final int DEFAULT_THREADS = 9;
    public static final int MIN_THREADS = 4;
    public static final int MAX_THREADS = 16;
    /** The VOLSER UDP port, AFSCONF_VOLUMEPORT (rx.md §1). */
    public static final int VOLSER_PORT = 7005;
    /** Smallest and largest -rxmaxmtu the stock server takes: RX_MIN_PACKET_SIZE .. RX_MAX_PACKET_DATA_SIZE. */
    public static final int MIN_RX_MTU = 520;
    public static final int MAX_RX_MTU = 16384 - 28;

    public enum SyncPolicy { ALWAYS, ONCLOSE, NEVER }
    public enum RestrictedQuery { ANYUSER, ADMIN }
    public enum S2sCrypt { NEVER, ALWAYS, INHERIT }

    public static final String USAGE = String.join("\n",
        "Usage: volserver [-log] [-rxbind] [-allow-dotted-principals]",
        "         [-d <debug level>] [-p <number of threads>]",
        "         [-auditlog <location of audit log>]",
        "         [-audit-interface <interface to use for audit logging>] [-nojumbo]",
        "         [-jumbo] [-rxmaxmtu <maximum MTU for RX>]",
        "         [-sleep <make background daemon sleep (LWP only)>]",
        "         [-udpsize <size of socket buffer in bytes>] [-enable_peer_stats]",
        "         [-enable_process_stats] [-clear-vol-stats]",
        "         [-sync <always | onclose | never>] [-syslog [<log to syslog>]]",
        "         [-logfile <location of log file>] [-config <configuration location>]",
        "         [-restricted_query <anyuser | admin>] [-transarc-logs]",
        "         [-s2scrypt <always | inherit | never>]",
        "         [-local-dir <dir>] [-partition-root <dir>] [-port <udp port>] [-help]",
        "Where: -log                      log vos users",
        "       -rxbind                   bind only to the primary interface",
        "       -nojumbo                  disable jumbograms (the default)",
        "       -jumbo                    enable jumbograms",
        "       -clear-vol-stats          clear volume statistics when restoring/recloning",
        "       -transarc-logs            enable Transarc style logging",
        "Options of this volserver that the stock one lacks (for runs without root):",
        "       -local-dir <dir>          instead of /var/lib/openafs/local (NetInfo, NetRestrict, NoAuth)",
        "       -partition-root <dir>     look for the vicepXX partitions in <dir> instead of /",
        "       -port <udp port>          instead of 7005");

    /** Thrown for a command line the server refuses; the message is what to print before the usage. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    // Switch table: name -> takes a value. Order as in the stock -help.
    private static final Map<String, Boolean> SWITCHES = new LinkedHashMap<>();
    static {
        for (String flag : List.of("-log", "-rxbind", "-allow-dotted-principals", "-nojumbo", "-jumbo",
                "-enable_peer_stats", "-enable_process_stats", "-clear-vol-stats", "-transarc-logs", "-help")) {
            SWITCHES.put(flag, false);
        }
        for (String opt : List.of("-d", "-p", "-auditlog", "-audit-interface", "-rxmaxmtu", "-sleep", "-udpsize",
                "-sync", "-logfile", "-config", "-restricted_query", "-s2scrypt",
                "-local-dir", "-partition-root", "-port")) {
            SWITCHES.put(opt, true);
        }
        // -syslog takes an optional facility; handled specially.
        SWITCHES.put("-syslog", false);
    }

    public boolean help;
    public boolean logUsers;
    public boolean rxbind;
    public boolean allowDottedPrincipals;
    public boolean jumbo;
    public boolean enablePeerStats;
    public boolean enableProcessStats;
    public boolean clearVolStats;
    public boolean transarcLogs;
    public int debugLevel;
    public int threads = DEFAULT_THREADS;
    public Path auditLog;
    public String auditInterface = "file";
    public int rxMaxMtu; // 0 = not given
    public int udpSize;  // 0 = not given
    public SyncPolicy sync = SyncPolicy.ONCLOSE;
    public String syslogFacility; // null = no syslog
    public Path logFile = Path.of("/var/log/openafs/VolserLog");
    public Path configDir = Path.of("/etc/openafs/server");
    public RestrictedQuery restrictedQuery = RestrictedQuery.ANYUSER;
    public S2sCrypt s2sCrypt = S2sCrypt.NEVER;
    public Path localDir = Path.of("/var/lib/openafs/local");
    public Path partitionRoot = Path.of("/");
    public int port = VOLSER_PORT;
    /** Warnings to log once the log is open (obsolete switches and the like). */
    public final List<String> warnings = new ArrayList<>();

    private VolserverOptions() {
    }

    public static VolserverOptions parse(String... args) throws UsageException {
        VolserverOptions o = new VolserverOptions();
        for (int i = 0; i < args.length; i++) {
            String name = resolve(args[i]);
            boolean takesValue = SWITCHES.get(name);
            String value = null;
            if (takesValue) {
                if (i + 1 >= args.length) {
                    throw new UsageException("Switch '" + name + "' needs a value");
                }
                value = args[++i];
            } else if (name.equals("-syslog") && i + 1 < args.length && !args[i + 1].startsWith("-")) {
                value = args[++i];
            }
            o.apply(name, value);
        }
        return o;
    }

    /** Exact switch name, else the one switch the argument is a prefix of (the AFS cmd rule). */
    static String resolve(String arg) throws UsageException {
        String a = arg;
        if (a.startsWith("-syslog=")) {
            a = "-syslog";
        }
        if (SWITCHES.containsKey(a)) {
            return a;
        }
        String found = null;
        if (a.startsWith("-") && a.length() > 1) {
            for (String s : SWITCHES.keySet()) {
                if (s.startsWith(a)) {
                    if (found != null) {
                        found = null;
                        break;
                    }
                    found = s;
                }
            }
            if (found != null) {
                return found;
            }
        }
        throw new UsageException("Unrecognized or ambiguous switch '" + arg + "'; type 'volserver -help' for detailed help");
    }

    private void apply(String name, String value) throws UsageException {
        switch (name) {
            case "-help" -> help = true;
            case "-log" -> logUsers = true;
            case "-rxbind" -> rxbind = true;
            case "-allow-dotted-principals" -> allowDottedPrincipals = true;
            case "-nojumbo" -> jumbo = false;
            case "-jumbo" -> jumbo = true;
            case "-enable_peer_stats" -> enablePeerStats = true;
            case "-enable_process_stats" -> enableProcessStats = true;
            case "-clear-vol-stats" -> clearVolStats = true;
            case "-transarc-logs" -> transarcLogs = true;
            case "-d" -> debugLevel = intValue(name, value, 0, Integer.MAX_VALUE);
            case "-p" -> {
                int p = intValue(name, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
                // The stock server clamps rather than refuses, and says so in its log.
                if (p < MIN_THREADS) {
                    warnings.add("Warning: -p " + p + " is too small; using " + MIN_THREADS);
                    p = MIN_THREADS;
                } else if (p > MAX_THREADS) {
                    warnings.add("Warning: -p " + p + " is too large; using " + MAX_THREADS);
                    p = MAX_THREADS;
                }
                threads = p;
            }
            case "-auditlog" -> auditLog = Path.of(value);
            case "-audit-interface" -> {
                if (!value.equals("file") && !value.equals("sysvmq")) {
                    throw new UsageException("Invalid audit interface '" + value + "'");
                }
                auditInterface = value;
            }
            case "-rxmaxmtu" -> rxMaxMtu = intValue(name, value, MIN_RX_MTU, MAX_RX_MTU);
            case "-sleep" -> warnings.add("-sleep is obsolete (LWP only) and ignored");
            case "-udpsize" -> udpSize = intValue(name, value, 1, Integer.MAX_VALUE);
            case "-sync" -> sync = enumValue(SyncPolicy.class, name, value);
            case "-syslog" -> syslogFacility = value == null ? "daemon" : value;
            case "-logfile" -> logFile = Path.of(value);
            case "-config" -> configDir = Path.of(value);
            case "-restricted_query" -> restrictedQuery = enumValue(RestrictedQuery.class, name, value);
            case "-s2scrypt" -> s2sCrypt = enumValue(S2sCrypt.class, name, value);
            case "-local-dir" -> localDir = Path.of(value);
            case "-partition-root" -> partitionRoot = Path.of(value);
            case "-port" -> port = intValue(name, value, 1, 65535);
            default -> throw new IllegalStateException("switch table and apply() disagree on " + name);
        }
    }

    private static int intValue(String name, String value, int min, int max) throws UsageException {
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("Switch '" + name + "' needs a number, not '" + value + "'");
        }
        if (v < min || v > max) {
            throw new UsageException("Switch '" + name + "' takes a value from " + min + " to " + max + ", not " + v);
        }
        return v;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String value) throws UsageException {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid argument '" + value + "' for " + name);
        }
    }
}
