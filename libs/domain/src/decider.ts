/** An event as the domain sees it: what happened, without the store's envelope. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/**
 * A stream's behaviour as two pure functions: `decide` turns a command and the
 * current state into new events (or throws a DomainError), `evolve` folds an
 * event into the state.
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  initialState: () => State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/**
 * What kind of refusal a DomainError is, which the HTTP layer turns into a status:
 * not_found 404, conflict 409 (the state forbids it now), invalid 422 (the input
 * breaks a rule), forbidden 403 (this person may not, whatever the input: four-eyes).
 */
export type DomainErrorKind = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    /** A stable, machine-readable name of the rule that refused, e.g. "user.already_registered". */
    readonly rule: string,
    message: string,
    /** The input field at fault, where there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}
