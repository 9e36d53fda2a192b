import { initialPersonState, type PersonState } from '@ledger/domain';
import { PersonStateHandoff } from './person-state-handoff';

const stateNamed = (name: string): PersonState => ({ ...initialPersonState, name });

describe('PersonStateHandoff', () => {
  it('given a state offered at revision 4, when taken at 4, then it is that state, and only once', () => {
    const handoff = new PersonStateHandoff(10);
    handoff.offer('p', 4, stateNamed('at 4'));
    expect(handoff.take('p', 4)?.state.name).toBe('at 4');
    expect(handoff.take('p', 4)).toBeUndefined();
    expect(handoff.size).toBe(0);
  });

  it('given a state at revision 4, when asked for revision 5, then nothing, and the stale entry is dropped', () => {
    const handoff = new PersonStateHandoff(10);
    handoff.offer('p', 4, stateNamed('at 4'));
    expect(handoff.take('p', 5)).toBeUndefined();
    expect(handoff.size).toBe(0);
  });

  it('given a state at revision 6, when asked for revision 5, then nothing, and the entry stays for the batch that follows revision 6', () => {
    const handoff = new PersonStateHandoff(10);
    handoff.offer('p', 6, stateNamed('at 6'));
    expect(handoff.take('p', 5)).toBeUndefined();
    expect(handoff.take('p', 6)?.state.name).toBe('at 6');
  });

  it('given a second offer for a person, then it replaces the first', () => {
    const handoff = new PersonStateHandoff(10);
    handoff.offer('p', 4, stateNamed('at 4'));
    handoff.offer('p', 7, stateNamed('at 7'));
    expect(handoff.size).toBe(1);
    expect(handoff.take('p', 7)?.state.name).toBe('at 7');
  });

  it('given more offers than its capacity, then the oldest go first, and a re-offered person counts as new', () => {
    const handoff = new PersonStateHandoff(3);
    for (const p of ['a', 'b', 'c']) handoff.offer(p, 1, stateNamed(p));
    handoff.offer('a', 2, stateNamed('a again'));
    handoff.offer('d', 1, stateNamed('d'));
    expect(handoff.size).toBe(3);
    expect(handoff.take('b', 1)).toBeUndefined();
    expect(['a', 'c', 'd'].map((p) => handoff.take(p, p === 'a' ? 2 : 1)?.state.name)).toEqual(['a again', 'c', 'd']);
  });

  it('given capacity 0 or a person without events (revision -1), then nothing is kept', () => {
    const off = new PersonStateHandoff(0);
    off.offer('p', 4, stateNamed('x'));
    expect(off.size).toBe(0);
    const handoff = new PersonStateHandoff(10);
    handoff.offer('p', -1, initialPersonState);
    expect(handoff.size).toBe(0);
  });
});
