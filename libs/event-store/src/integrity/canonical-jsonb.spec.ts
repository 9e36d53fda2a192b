import fc from 'fast-check';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { canonicalJson } from './canonical-json';
import { canonicalJsonOfJsonbText, canonicalJsonOfPlainJsonbText } from './canonical-jsonb';

/**
 * The texts come from PostgreSQL itself (`$1::jsonb::text`), so the shape the rebuild relies on is
 * the server's, not an imitation of it.
 */
describe('canonicalJsonOfJsonbText', () => {
  let db: TestDatabase;
  let sql: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  const asJsonb = async (jsonText: string) => (await sql.query<{ t: string }>('SELECT $1::jsonb::text AS t', [jsonText])).rows[0].t;

  /** JSON texts: jsonb accepts any valid Unicode but \u0000 and lone surrogates. */
  const text = fc.string({
    unit: fc.oneof(
      fc.constantFrom('"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', '\u2028', '缴', '😀', '/'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
  });
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 2, arbitrary: fc.constantFrom('__proto__', '', '0', '10', '01', '-1', '4294967294', '4294967295', 'é', 'Z', 'a b', '缴费') },
    { weight: 1, arbitrary: text },
  );
  // Number spellings PostgreSQL keeps (trailing zeros, long integers) or turns into plain decimals (exponents).
  const numberText = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.integer().map(String),
    fc.constantFrom('1.50', '-0', '-0.0', '0e10', '1E2', '1e21', '1e-7', '1e400', '-1e400', '1e-400', '12345678901234567890', '9007199254740993', '0.1000'),
  );
  const { json } = fc.letrec((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      text.map((s) => JSON.stringify(s)),
      numberText,
      fc.constantFrom('true', 'false', 'null'),
      fc.array(tie('json')).map((items) => `[${items.join(',')}]`),
      fc.array(fc.tuple(key, tie('json'))).map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }));

  it('property: equals canonicalJson of the parsed value for every text PostgreSQL prints', async () => {
    let direct = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(json, async (jsonText) => {
        const printed = await asJsonb(jsonText);
        const expected = canonicalJson(JSON.parse(printed));
        expect(canonicalJsonOfJsonbText(printed)).toBe(expected);
        const rebuilt = canonicalJsonOfPlainJsonbText(printed);
        if (rebuilt !== undefined) {
          direct++;
          expect(rebuilt).toBe(expected);
        }
        runs++;
      }),
      { numRuns: 500 },
    );
    // Most texts must take the direct rebuild, or the property above would only test the fallback.
    expect(direct).toBeGreaterThan(runs / 3);
  });

  it('rebuilds event-like texts directly, and leaves escapes and array-index keys to JSON.parse', async () => {
    const event = await asJsonb('{"paidAt":"2024-09-05T15:03:00+08:00","amountFen":40000,"kind":"regular","name":"孙勇","categories":[],"rate":0.50,"n":null}');
    expect(canonicalJsonOfPlainJsonbText(event)).toBe(
      '{"amountFen":40000,"categories":[],"kind":"regular","n":null,"name":"孙勇","paidAt":"2024-09-05T15:03:00+08:00","rate":0.5}',
    );
    // A `__proto__` member is left to JSON.parse, which keeps it as canonicalJson does.
    expect(canonicalJsonOfPlainJsonbText(await asJsonb('{"__proto__":{"a":1},"b":[1.0,-0]}'))).toBeUndefined();
    expect(canonicalJsonOfJsonbText(await asJsonb('{"__proto__":{"a":1},"b":[1.0,-0]}'))).toBe('{"__proto__":{"a":1},"b":[1,0]}');
    expect(canonicalJsonOfPlainJsonbText(await asJsonb('{"note":"line\\nbreak"}'))).toBeUndefined();
    expect(canonicalJsonOfPlainJsonbText(await asJsonb('{"10":1,"9":2}'))).toBeUndefined();
    expect(canonicalJsonOfJsonbText(await asJsonb('{"10":1,"9":2,"a":"x\\"y"}'))).toBe('{"9":2,"10":1,"a":"x\\"y"}');
  });

  it('objects of one key sequence, of sequences sharing a prefix, and past the cap of remembered sequences', () => {
    // jsonb's spelling: members ordered by key length, then bytes; one space after `:` and `,`.
    const jsonb = (members: Array<[string, string]>) =>
      `{${[...members]
        .sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `"${k}": ${v}`)
        .join(', ')}}`;
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      texts.push(
        jsonb([
          ['kind', '"regular"'],
          ['payer', `"p${i}"`],
          ['amountFen', String(i)],
        ]),
      );
      texts.push(
        jsonb([
          ['kind', '"regular"'],
          ['payer', `"p${i}"`],
        ]),
      ); // ends where the one before went on
      texts.push(
        jsonb([
          ['kind', '"regular"'],
          ['payer', '1'],
          ['zeta', '[]'],
        ]),
      ); // same start, another end
      texts.push(
        jsonb([
          ['kind', '"x"'],
          [
            'payer',
            jsonb([
              ['b', '1'],
              ['a', '2'],
            ]),
          ],
          ['ab', 'true'],
        ]),
      );
      texts.push(
        jsonb([
          ['a', '1'],
          ['a', '2'],
        ]),
      ); // repeated key: the JSON.parse path
    }
    // More distinct key sequences than the trie keeps: the later ones are ordered without it.
    for (let i = 0; i < 10_050; i++)
      texts.push(
        jsonb([
          [`id${i}`, String(i)],
          ['z', 'null'],
          ['_', '"u"'],
        ]),
      );
    for (const text of texts) expect(canonicalJsonOfJsonbText(text)).toBe(canonicalJson(JSON.parse(text)));
    expect(
      canonicalJsonOfPlainJsonbText(
        jsonb([
          ['a', '1'],
          ['a', '2'],
        ]),
      ),
    ).toBeUndefined();
  });
});
