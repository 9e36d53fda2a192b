/**
 * A tiny given/when/then harness for deciders, shared by the transfer and employer specs.
 * given(past events) → when(command, ctx) → then(expected events | expected error code).
 * Every produced event is also checked to survive a JSON round trip, since events are stored as JSON.
 */
export interface DeciderUnderTest<S, C, E, X> {
  initialState: S;
  evolve(state: S, event: E): S;
  decide(state: S, command: C, ctx: X): E[];
}

type Outcome<E> = { kind: 'events'; events: E[] } | { kind: 'error'; error: unknown };

export interface Then<S, E> {
  /** Expected events (compared with toEqual) or the `code` of the expected refusal. */
  then(expected: E[] | string): E[];
  /** Expect the refusal `code` and check its details too. */
  thenRefused(code: string, details: Record<string, unknown>): void;
  /** The state after applying the produced events, for assertions on derived fields. */
  thenState(check: (state: S, events: E[]) => void): void;
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
}

export function givenWhenThen<S, C, E, X>(decider: DeciderUnderTest<S, C, E, X>) {
  return function given(history: E[]) {
    const state = history.reduce(decider.evolve, decider.initialState);
    return {
      state,
      when(command: C, ctx: X): Then<S, E> {
        let outcome: Outcome<E>;
        try {
          outcome = { kind: 'events', events: decider.decide(state, command, ctx) };
        } catch (error) {
          outcome = { kind: 'error', error };
        }
        const events = (): E[] => {
          if (outcome.kind === 'error') throw outcome.error;
          for (const e of outcome.events) expect(JSON.parse(JSON.stringify(e))).toEqual(e);
          return outcome.events;
        };
        const refusal = (code: string): unknown => {
          if (outcome.kind === 'events') {
            throw new Error(`expected refusal "${code}" but got events ${JSON.stringify(outcome.events)}`);
          }
          if (codeOf(outcome.error) === undefined) throw outcome.error;
          expect(codeOf(outcome.error)).toBe(code);
          return outcome.error;
        };
        return {
          then(expected) {
            if (typeof expected === 'string') {
              refusal(expected);
              return [];
            }
            const produced = events();
            expect(produced).toEqual(expected);
            return produced;
          },
          thenRefused(code, details) {
            const error = refusal(code) as { details?: unknown };
            expect(error.details).toMatchObject(details);
          },
          thenState(check) {
            const produced = events();
            check(produced.reduce(decider.evolve, state), produced);
          },
        };
      },
    };
  };
}
