/**
 * The one text form of a JSON value that hashes are computed over: object keys sorted by code
 * unit, no whitespace, undefined members dropped. PostgreSQL's jsonb reorders keys, so the text
 * an event was hashed from is rebuilt from its parsed value, never taken from storage.
 */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalize(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      // A member named __proto__ is kept as a member (assignment would set the copy's prototype and drop
      // it): otherwise one could be added to a stored event without changing its hash.
      if (key === '__proto__') Object.defineProperty(out, key, { value: canonicalize(member), enumerable: true, writable: true, configurable: true });
      else out[key] = canonicalize(member);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** Largest key that JavaScript objects keep as an array index (listed first, in numeric order). */
const MAX_ARRAY_INDEX = 4_294_967_294;
// What JSON.stringify escapes: control characters, quote, backslash, and (as lone surrogates) surrogates.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Whether JavaScript orders `key` among the array indices of an object (before every other key). */
export function isArrayIndexKey(key: string): boolean {
  const length = key.length;
  if (length === 0 || length > 10) return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && length > 1)) return false;
  for (let i = 1; i < length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return length < 10 || Number(key) <= MAX_ARRAY_INDEX;
}

export const quoteJsonString = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

/**
 * Keys in the order canonicalJson emits them: JSON.stringify of the sorted copy lists the array-index
 * keys first, ascending (an object's own order), then the others sorted by code unit.
 */
function canonicalKeyOrder(value: object): string[] {
  const keys = Object.keys(value);
  // Object.keys already lists array indices first, in numeric order; only the rest needs sorting.
  let indices = 0;
  while (indices < keys.length && isArrayIndexKey(keys[indices])) indices++;
  const named = indices === 0 ? keys.sort() : keys.splice(indices).sort();
  return indices === 0 ? named : keys.concat(named);
}

/**
 * The same text as canonicalJson for any JSON value (what JSON.parse returns), written directly
 * instead of through a sorted copy: the verifier computes it for every stored event. Like
 * canonicalJson, undefined (and a function or symbol) gives undefined, and is dropped as a member.
 */
export function canonicalJsonOfParsed(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteJsonString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += canonicalJsonOfParsed(value[i]) ?? 'null';
        }
        return `${out}]`;
      }
      let out = '{';
      for (const key of canonicalKeyOrder(value)) {
        const member = canonicalJsonOfParsed((value as Record<string, unknown>)[key]);
        if (member === undefined) continue;
        if (out.length > 1) out += ',';
        out += `${quoteJsonString(key)}:${member}`;
      }
      return `${out}}`;
    }
    case 'bigint':
      return JSON.stringify(value); // throws, as canonicalJson does
    default:
      return undefined;
  }
}
