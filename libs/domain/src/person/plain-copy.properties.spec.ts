import fc from 'fast-check';
import { copyFields, copyRecord } from './plain-copy';

/** Everything a caller could observe of a copy: prototype, own keys in order, descriptors, and the JSON it stores. */
function observable(o: object) {
  return {
    prototype: Object.getPrototypeOf(o) as unknown,
    keys: Reflect.ownKeys(o),
    descriptors: Object.getOwnPropertyDescriptors(o),
    json: JSON.stringify(o),
  };
}

// Ids, integer-like keys (which objects order first) and "__proto__", which a plain assignment would treat as the prototype.
const key = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 6 }),
  fc.nat({ max: 50 }).map(String),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'recordedAt'),
);
const value = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.record({ contributionId: fc.uuid(), amountFen: fc.nat() }));
/** Objects as JSON.parse builds them (so "__proto__" is an own field) and as the fold builds them, key by key. */
const plainObject = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 40 }).chain((entries) =>
  fc.constantFrom(
    JSON.parse(JSON.stringify(Object.fromEntries(entries))) as Record<string, unknown>,
    entries.reduce<Record<string, unknown>>((o, [k, v]) => (k === '__proto__' ? o : ((o[k] = v), o)), {}),
  ),
);

describe('plain copies equal spreads', () => {
  test('copyRecord gives what { ...source } gives', () => {
    fc.assert(
      fc.property(plainObject, (source) => {
        const copy = copyRecord(source);
        expect(copy).not.toBe(source);
        expect(observable(copy)).toEqual(observable({ ...source }));
      }),
      { numRuns: 500 },
    );
  });

  test('copyFields gives what { ...source } gives', () => {
    fc.assert(
      fc.property(plainObject, (source) => {
        const copy = copyFields(source);
        expect(copy).not.toBe(source);
        expect(observable(copy)).toEqual(observable({ ...source }));
      }),
      { numRuns: 500 },
    );
  });

  test('a copy can be changed without changing its source', () => {
    const source = { a: 1 };
    const record = copyRecord(source) as Record<string, number>;
    const fields = copyFields(source) as Record<string, number>;
    record.b = 2;
    fields.c = 3;
    expect(source).toEqual({ a: 1 });
  });
});
