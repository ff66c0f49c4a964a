/**
 * rxgen-style remote procedure calls over the {@link afsdr.rx.RxCall} boundary (rx.md §17–18).
 *
 * <ul>
 * <li>Declare: {@link afsdr.rx.rpc.RpcOp} (opcode, name, argument and result codecs, split side) and
 * {@link afsdr.rx.rpc.RpcInterface} (service id and its procedures).</li>
 * <li>Call: {@link afsdr.rx.rpc.RpcClient#call} and {@link afsdr.rx.rpc.RpcClient#callSplit}; failures
 * are {@link afsdr.rx.rpc.RpcException} with the abort code.</li>
 * <li>Serve: {@link afsdr.rx.rpc.RpcDispatcher}, an {@link afsdr.rx.RxCallHandler} that decodes the
 * opcode and arguments, runs an {@link afsdr.rx.rpc.RpcHandler} and encodes the results, with the
 * rxgen abort codes of {@link afsdr.rx.rpc.Rxgen}.</li>
 * <li>Test without sockets: {@link afsdr.rx.rpc.InProcessConnection}.</li>
 * </ul>
 */
package afsdr.rx.rpc;
