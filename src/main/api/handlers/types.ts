import type { Handlers, MethodName } from '../../../shared/contract';

/** A slice of the contract's handlers; index.ts checks that the slices cover every method. */
export type HandlerSlice<M extends MethodName> = Pick<Handlers, M>;
