import { Decider, DomainError, DomainEvent, fold } from '../src';

/**
 * given(events) / when(command) / then(events) or thenRefuses(rule), over a
 * decider's pure functions: no store, no clock.
 */
export function deciderSpec<State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>) {
  return (given: Event[]) => ({
    when: (command: Command) => {
      const decide = () => decider.decide(command, fold(decider, given));
      return {
        then: (expected: Event[]) => expect(decide()).toEqual(expected),
        thenRefuses: (rule: string, kind?: DomainError['kind']) => {
          let refusal: unknown;
          try {
            decide();
          } catch (error) {
            refusal = error;
          }
          expect(refusal).toBeInstanceOf(DomainError);
          expect(refusal).toMatchObject({ rule, ...(kind ? { kind } : {}) });
        },
      };
    },
  });
}
