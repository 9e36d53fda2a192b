import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

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
