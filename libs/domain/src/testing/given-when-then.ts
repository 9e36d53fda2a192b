import { DomainError } from '../errors';
import type { DecideContext, PersonCommand } from '../person/commands';
import type { PersonEvent } from '../person/events';
import { evolvePerson, initialPersonState, PersonState } from '../person/state';
import { decidePerson } from '../person/decide';

/**
 * `given(events).when(command).then(expectedEvents | 'error_code')` for the person decider.
 * The expectation runs jest's `expect`, so a failing case reports the difference.
 */
export function given(events: readonly PersonEvent[], ctx: DecideContext = { today: '2025-06-30' }) {
  const state: PersonState = events.reduce((s, e) => evolvePerson(s, e), initialPersonState);
  return {
    state,
    when(command: PersonCommand) {
      const run = (): PersonEvent[] => decidePerson(state, command, ctx);
      return {
        then(expected: readonly PersonEvent[] | string): PersonEvent[] {
          if (typeof expected === 'string') {
            let caught: unknown;
            try {
              run();
            } catch (e) {
              caught = e;
            }
            expect(caught).toBeInstanceOf(DomainError);
            expect((caught as DomainError).code).toBe(expected);
            return [];
          }
          const produced = run();
          expect(produced).toEqual(expected);
          return produced;
        },
      };
    },
  };
}
