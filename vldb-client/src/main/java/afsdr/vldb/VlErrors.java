package afsdr.vldb;

import java.util.Map;

/**
 * Error codes of the VL interface ({@code vl_errors.et}, com_err table "VL", base 363520) and of
 * ubik ({@code uerrors.et}, table "U", base 5376), from vldb.md §6.
 */
public final class VlErrors {
    private VlErrors() {
    }

    /** First code of the "VL" table. */
    public static final int VL_BASE = 363520;
    /** First code of the ubik "U" table. */
    public static final int U_BASE = 5376;

    public static final int VL_IDEXIST = 363520;
    public static final int VL_IO = 363521;
    public static final int VL_NAMEEXIST = 363522;
    public static final int VL_CREATEFAIL = 363523;
    public static final int VL_NOENT = 363524;
    public static final int VL_EMPTY = 363525;
    public static final int VL_ENTDELETED = 363526;
    public static final int VL_BADNAME = 363527;
    public static final int VL_BADINDEX = 363528;
    public static final int VL_BADVOLTYPE = 363529;
    public static final int VL_BADSERVER = 363530;
    public static final int VL_BADPARTITION = 363531;
    public static final int VL_REPSFULL = 363532;
    public static final int VL_NOREPSERVER = 363533;
    public static final int VL_DUPREPSERVER = 363534;
    public static final int VL_RWNOTFOUND = 363535;
    public static final int VL_BADREFCOUNT = 363536;
    public static final int VL_SIZEEXCEEDED = 363537;
    public static final int VL_BADENTRY = 363538;
    public static final int VL_BADVOLIDBUMP = 363539;
    public static final int VL_IDALREADYHASHED = 363540;
    public static final int VL_ENTRYLOCKED = 363541;
    public static final int VL_BADVOLOPER = 363542;
    public static final int VL_BADRELLOCKTYPE = 363543;
    public static final int VL_RERELEASE = 363544;
    public static final int VL_BADSERVERFLAG = 363545;
    public static final int VL_PERM = 363546;
    public static final int VL_NOMEM = 363547;
    public static final int VL_BADVERSION = 363548;
    public static final int VL_INDEXERANGE = 363549;
    public static final int VL_MULTIPADDR = 363550;
    public static final int VL_BADMASK = 363551;
    public static final int VL_DBBAD = 363552;

    public static final int UNOQUORUM = 5376;
    public static final int UNOTSYNC = 5377;
    public static final int UNHOSTS = 5378;
    public static final int UIOERROR = 5379;
    public static final int UINTERNAL = 5380;
    public static final int USYNC = 5381;
    public static final int UNOENT = 5382;
    public static final int UBADLOCK = 5383;
    public static final int UBADLOG = 5384;
    public static final int UBADHOST = 5385;
    public static final int UBADTYPE = 5386;
    public static final int UTWOENDS = 5387;
    public static final int UDONE = 5388;
    public static final int UNOSERVERS = 5389;
    public static final int UEOF = 5390;
    public static final int ULOGIO = 5391;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(363520, "VL_IDEXIST"),
            Map.entry(363521, "VL_IO"),
            Map.entry(363522, "VL_NAMEEXIST"),
            Map.entry(363523, "VL_CREATEFAIL"),
            Map.entry(363524, "VL_NOENT"),
            Map.entry(363525, "VL_EMPTY"),
            Map.entry(363526, "VL_ENTDELETED"),
            Map.entry(363527, "VL_BADNAME"),
            Map.entry(363528, "VL_BADINDEX"),
            Map.entry(363529, "VL_BADVOLTYPE"),
            Map.entry(363530, "VL_BADSERVER"),
            Map.entry(363531, "VL_BADPARTITION"),
            Map.entry(363532, "VL_REPSFULL"),
            Map.entry(363533, "VL_NOREPSERVER"),
            Map.entry(363534, "VL_DUPREPSERVER"),
            Map.entry(363535, "VL_RWNOTFOUND"),
            Map.entry(363536, "VL_BADREFCOUNT"),
            Map.entry(363537, "VL_SIZEEXCEEDED"),
            Map.entry(363538, "VL_BADENTRY"),
            Map.entry(363539, "VL_BADVOLIDBUMP"),
            Map.entry(363540, "VL_IDALREADYHASHED"),
            Map.entry(363541, "VL_ENTRYLOCKED"),
            Map.entry(363542, "VL_BADVOLOPER"),
            Map.entry(363543, "VL_BADRELLOCKTYPE"),
            Map.entry(363544, "VL_RERELEASE"),
            Map.entry(363545, "VL_BADSERVERFLAG"),
            Map.entry(363546, "VL_PERM"),
            Map.entry(363547, "VL_NOMEM"),
            Map.entry(363548, "VL_BADVERSION"),
            Map.entry(363549, "VL_INDEXERANGE"),
            Map.entry(363550, "VL_MULTIPADDR"),
            Map.entry(363551, "VL_BADMASK"),
            Map.entry(363552, "VL_DBBAD"),
            Map.entry(5376, "UNOQUORUM"),
            Map.entry(5377, "UNOTSYNC"),
            Map.entry(5378, "UNHOSTS"),
            Map.entry(5379, "UIOERROR"),
            Map.entry(5380, "UINTERNAL"),
            Map.entry(5381, "USYNC"),
            Map.entry(5382, "UNOENT"),
            Map.entry(5383, "UBADLOCK"),
            Map.entry(5384, "UBADLOG"),
            Map.entry(5385, "UBADHOST"),
            Map.entry(5386, "UBADTYPE"),
            Map.entry(5387, "UTWOENDS"),
            Map.entry(5388, "UDONE"),
            Map.entry(5389, "UNOSERVERS"),
            Map.entry(5390, "UEOF"),
            Map.entry(5391, "ULOGIO"));

    /** The OpenAFS name of a VL or ubik code, or {@code null}. */
    public static String name(int code) {
        return NAMES.get(code);
    }

    /** The name if known, else the number: for messages. */
    public static String describe(int code) {
        String n = NAMES.get(code);
        return n == null ? Integer.toString(code) : n + " (" + code + ")";
    }
}
