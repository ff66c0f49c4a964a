package afsdr.rx.rpc;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An rxgen interface: the Rx service it is served on and its procedures by opcode. Servers build
 * an {@link RpcDispatcher} for it; an opcode not declared here is answered with
 * {@code RXGEN_OPCODE} by the dispatcher.
 */
public final class RpcInterface {
    private final String name;
    private final int serviceId;
    private final Map<Integer, RpcOp<?, ?>> ops;

    private RpcInterface(String name, int serviceId, Map<Integer, RpcOp<?, ?>> ops) {
        this.name = name;
        this.serviceId = serviceId;
        this.ops = ops;
    }

    /** An interface; opcodes must be distinct. */
    public static RpcInterface of(String name, int serviceId, RpcOp<?, ?>... ops) {
        Map<Integer, RpcOp<?, ?>> m = new LinkedHashMap<>();
        for (RpcOp<?, ?> op : ops) {
            if (m.put(op.opcode(), op) != null) {
                throw new IllegalArgumentException(name + ": opcode " + op.opcode() + " declared twice");
            }
        }
        return new RpcInterface(name, serviceId, Collections.unmodifiableMap(m));
    }

    /** The rxgen package name, e.g. {@code VL} or {@code AFSVol}. */
    public String name() {
        return name;
    }

    /** The Rx service id (52 VL, 4 VOLSER). */
    public int serviceId() {
        return serviceId;
    }

    /** The procedure with this opcode, or {@code null}. */
    public RpcOp<?, ?> op(int opcode) {
        return ops.get(opcode);
    }

    /** All procedures in declaration order. */
    public Collection<RpcOp<?, ?>> ops() {
        return ops.values();
    }
}
