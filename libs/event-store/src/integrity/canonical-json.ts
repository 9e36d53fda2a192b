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
      if (member !== undefined) out[key] = canonicalize(member);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}
