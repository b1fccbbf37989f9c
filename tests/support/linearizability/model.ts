// The interface between the linearizability search and a sequential specification: the search only needs the
// possible start states, a step function and a key that identifies a state for memoization. A step returns every
// state the operation can lead to (a set, so that an operation whose effect is uncertain can branch); an empty
// set means the operation cannot be linearized at that point.

/** A sequential specification of one object (for the KV store: one key). */
export interface Model<State, Operation> {
  /** The possible states before the first operation. */
  readonly initial: readonly State[];
  /** Every state `operation` can lead to from `state`; empty when it cannot happen there. */
  step(state: State, operation: Operation): State[];
  /** A string that is equal exactly for equal states, for memoization. */
  key(state: State): string;
  /** Why `operation` cannot happen at `state`, for failure reports. */
  explain(state: State, operation: Operation): string;
  /** A short description of a state, for failure reports. */
  describeState(state: State): string;
  /** A short description of an operation, for failure reports. */
  describeOperation(operation: Operation): string;
}
