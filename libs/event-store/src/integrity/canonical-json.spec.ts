import fc from 'fast-check';
import { canonicalJson, canonicalJsonOfParsed } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, and keeps strings exact', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: '缴费 "quoted"\n' } })).toBe(
      '{"a":{"c":"缴费 \\"quoted\\"\\n","d":[3,{"z":1}]},"b":1}',
    );
    // JavaScript lists integer-like keys first in any object: still exactly one text per value.
    expect(canonicalJson({ '': false, '10': 1, '0': 0, '9': 2 })).toBe('{"0":0,"9":2,"10":1,"":false}');
    expect(canonicalJson([undefined, null, 1.5, -0, true])).toBe('[null,null,1.5,0,true]');
  });

  it('property: reads back as the same value, and does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reordered = JSON.parse(JSON.stringify(value), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        expect(canonicalJson(reordered)).toBe(text);
      }),
    );
  });
});

/** Keys JavaScript treats apart: array indices (listed first), near-indices, `__proto__`, inherited names. */
const trickyKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  '',
  '0',
  '1',
  '9',
  '10',
  '01',
  '-1',
  '1.0',
  ' 1',
  '4294967294',
  '4294967295',
  '9007199254740993',
  'a',
  'A',
  'é',
  '\u2028',
  '😀',
  '"',
  '\\',
);
const trickyStrings = fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\ud800', '\udfff', '\u2028', 'a', '缴', '😀') });
const trickyNumbers = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e21, 1e-7, -0, 0.1, 5e-324, Number.MAX_VALUE, 2 ** 53, 2 ** 53 + 2, 123456789012345680000, 1e300 * 10),
);

/** JSON values, and keys and strings where a hand-written writer is most likely to differ. */
const { json: anyJson } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(fc.string({ unit: 'binary' }), trickyStrings),
    trickyNumbers,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json')),
    fc.dictionary(fc.oneof(fc.string({ unit: 'binary' }), trickyKeys, fc.nat().map(String)), tie('json')),
  ),
}));

describe('canonicalJsonOfParsed', () => {
  it('property: the same text as canonicalJson for every JSON value', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        expect(canonicalJsonOfParsed(value)).toBe(canonicalJson(value));
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(canonicalJsonOfParsed(parsed)).toBe(canonicalJson(parsed));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps canonicalJson’s order of array-index keys, and a __proto__ member as a member', () => {
    const value: unknown = JSON.parse('{"b":1,"4294967295":2,"4294967294":3,"10":4,"9":5,"01":6,"__proto__":{"x":1},"":7}');
    expect(canonicalJsonOfParsed(value)).toBe('{"9":5,"10":4,"4294967294":3,"":7,"01":6,"4294967295":2,"__proto__":{"x":1},"b":1}');
    expect(canonicalJsonOfParsed(value)).toBe(canonicalJson(value));
  });

  it('spells numbers and undefined as JSON.stringify does', () => {
    const value = { a: [1e21, -0, 0.1, NaN, Infinity, undefined, 5e-324], b: undefined, c: '\ud800\u2028' };
    expect(canonicalJsonOfParsed(value)).toBe('{"a":[1e+21,0,0.1,null,null,null,5e-324],"c":"\\ud800\u2028"}');
    expect(canonicalJsonOfParsed(value)).toBe(canonicalJson(value));
    expect(canonicalJsonOfParsed(undefined)).toBe(canonicalJson(undefined));
  });
});
