package afsdr.rx.rpc;

/** The error codes rxgen stubs put into ABORT packets (rx.md §18, {@code rpc_errors.h}). */
public final class Rxgen {
    private Rxgen() {
    }

    /** {@code RXGEN_CC_MARSHAL}: the client could not encode its arguments. */
    public static final int RXGEN_CC_MARSHAL = -450;
    /** {@code RXGEN_CC_UNMARSHAL}: the client could not decode the results. */
    public static final int RXGEN_CC_UNMARSHAL = -451;
    /** {@code RXGEN_SS_MARSHAL}: the server could not encode the results. */
    public static final int RXGEN_SS_MARSHAL = -452;
    /** {@code RXGEN_SS_UNMARSHAL}: the server could not decode the arguments. */
    public static final int RXGEN_SS_UNMARSHAL = -453;
    /** {@code RXGEN_DECODE}: the server could not read an opcode. */
    public static final int RXGEN_DECODE = -454;
    /** {@code RXGEN_OPCODE}: the server has no procedure with that opcode. Clients fall back on it. */
    public static final int RXGEN_OPCODE = -455;

    /** The constant's name for a code of this table, else {@code null}. */
    public static String name(int code) {
        switch (code) {
            case RXGEN_CC_MARSHAL: return "RXGEN_CC_MARSHAL";
            case RXGEN_CC_UNMARSHAL: return "RXGEN_CC_UNMARSHAL";
            case RXGEN_SS_MARSHAL: return "RXGEN_SS_MARSHAL";
            case RXGEN_SS_UNMARSHAL: return "RXGEN_SS_UNMARSHAL";
            case RXGEN_DECODE: return "RXGEN_DECODE";
            case RXGEN_OPCODE: return "RXGEN_OPCODE";
            default: return null;
        }
    }
}
