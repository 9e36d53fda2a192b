import fc from 'fast-check';
import { newEventId } from './event-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('is a version-7 UUID whose first 48 bits are the milliseconds it was made at', () => {
    const at = Date.UTC(2026, 10, 27, 10, 0, 0, 123);
    const id = newEventId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts an id made at a later millisecond after one made earlier, as text and so as a uuid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 2 ** 40 }), (earlier, gap) => {
        expect(newEventId(earlier) < newEventId(earlier + gap)).toBe(true);
      }),
    );
  });

  it('does not repeat within a millisecond', () => {
    const at = Date.now();
    const ids = new Set(Array.from({ length: 100_000 }, () => newEventId(at)));
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(V7);
  });
});
