import { canonicalJsonOfParsed, isArrayIndexKey } from './canonical-json';

/**
 * canonicalJson of a value given as PostgreSQL's jsonb text output, without building the value.
 *
 * jsonb prints `{"key": value, ...}` and `[a, b]` with exactly one space after `:` and `,`, keys
 * ordered by length then bytes, numbers as numeric_out writes them (no exponent, trailing zeros
 * kept), and strings escaped only where JSON requires it. The canonical text differs by the spaces,
 * the key order and the number spelling, so it is rebuilt from the text: strings are copied, keys
 * re-sorted, numbers respelled as JavaScript does. Texts outside that shape — a backslash anywhere
 * (escaped characters), an array-index key, other spacing — go through JSON.parse and
 * canonicalJsonOfParsed instead, so the answer is canonicalJson's in every case.
 */
export function canonicalJsonOfJsonbText(text: string): string {
  return canonicalJsonOfPlainJsonbText(text) ?? canonicalJsonOfParsed(JSON.parse(text)) ?? '';
}

/** The direct rebuild alone: undefined for a text outside the shape it handles (see above). */
export function canonicalJsonOfPlainJsonbText(text: string): string | undefined {
  if (text.indexOf('\\') !== -1) return undefined;
  source = text;
  at = 0;
  const out = value();
  source = '';
  return at === text.length ? out : undefined;
}

// The scanner's state lives at module level: a closure per call costs more than the scan itself.
let source = '';
let at = 0;

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const SPACE = 32;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** The canonical text of the value at `at`, or undefined if the text is not in the expected shape. */
function value(): string | undefined {
  const c = source.charCodeAt(at);
  if (c === QUOTE) {
    const end = source.indexOf('"', at + 1);
    if (end === -1) return undefined;
    const start = at;
    at = end + 1;
    return source.slice(start, at);
  }
  if (c === 123) return object();
  if (c === 91) return array();
  if (c === 116) return literal('true');
  if (c === 102) return literal('false');
  if (c === 110) return literal('null');
  return number();
}

function literal(word: string): string | undefined {
  if (!source.startsWith(word, at)) return undefined;
  at += word.length;
  return word;
}

/** True after `, ` (another member follows), false after the closing bracket, undefined otherwise. */
function separator(close: number): boolean | undefined {
  const c = source.charCodeAt(at);
  if (c === close) {
    at++;
    return false;
  }
  if (c !== COMMA || source.charCodeAt(at + 1) !== SPACE) return undefined;
  at += 2;
  return true;
}

function array(): string | undefined {
  at++;
  if (source.charCodeAt(at) === 93) {
    at++;
    return '[]';
  }
  const elements: string[] = [];
  for (;;) {
    const element = value();
    if (element === undefined) return undefined;
    elements.push(element);
    const more = separator(93);
    if (more === undefined) return undefined;
    if (!more) return `[${elements.join(',')}]`;
  }
}

function object(): string | undefined {
  at++;
  if (source.charCodeAt(at) === 125) {
    at++;
    return '{}';
  }
  // Keys are only looked up here; how to order and print them is worked out once per key sequence.
  let shape: Shape | undefined = ROOT_SHAPE;
  const keys: string[] = [];
  const values: string[] = [];
  for (;;) {
    // Objects of one kind repeat their keys: the key that followed last time is compared in place.
    const hot: Shape['hot'] = shape?.hot;
    if (hot !== undefined && source.startsWith(hot.quoted, at)) {
      at += hot.quoted.length;
      keys.push(hot.key);
      shape = hot.shape;
    } else {
      if (source.charCodeAt(at) !== QUOTE) return undefined;
      const end = source.indexOf('"', at + 1);
      if (end === -1) return undefined;
      const key = source.slice(at + 1, end);
      at = end + 1;
      keys.push(key);
      if (shape !== undefined) shape = follow(shape, key);
    }
    if (source.charCodeAt(at) !== COLON || source.charCodeAt(at + 1) !== SPACE) return undefined;
    at += 2;
    const member = value();
    if (member === undefined) return undefined;
    values.push(member);
    const more = separator(125);
    if (more === undefined) return undefined;
    if (!more) break;
  }
  const layout = shape === undefined ? layoutOf(keys) : shape.layout === undefined ? (shape.layout = layoutOf(keys)) : shape.layout;
  if (layout === null) return undefined;
  const { order, prefixes } = layout;
  let out = prefixes[0] + values[order[0]];
  for (let i = 1; i < order.length; i++) out += prefixes[i] + values[order[i]];
  return out + '}';
}

/** How the members of objects with one key sequence (in jsonb's order) are printed canonically. */
interface Layout {
  /** Source member index for each canonical place. */
  order: number[];
  /** What precedes each canonical member's value: `{"key":` or `,"key":`. */
  prefixes: string[];
}

/** A node of the trie of key sequences seen; `layout` once an object has ended here (null: take the JSON.parse path). */
interface Shape {
  next: Map<string, Shape>;
  /** The first key seen after this one, with its quotes, and where it leads. */
  hot?: { key: string; quoted: string; shape: Shape };
  layout?: Layout | null;
}

const ROOT_SHAPE: Shape = { next: new Map() };
/** Events carry a few fixed key sets; objects keyed by data (ids, dates) would grow the trie without end, so it stops growing. */
const MAX_SHAPES = 10_000;
let shapes = 0;

function follow(shape: Shape, key: string): Shape | undefined {
  let next = shape.next.get(key);
  if (next === undefined) {
    if (shapes >= MAX_SHAPES) return undefined;
    shapes++;
    next = { next: new Map() };
    shape.next.set(key, next);
  }
  shape.hot ??= { key, quoted: `"${key}"`, shape: next };
  return next;
}

/**
 * Canonical order is by UTF-16 code units (what Array.prototype.sort does to strings). Array-index
 * keys (which JSON.parse would put first), `__proto__` (which the JSON.parse path keeps as a member)
 * and a repeated key (json, not jsonb, text can repeat one) are left to the JSON.parse path.
 */
function layoutOf(keys: string[]): Layout | null {
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if ((first >= ZERO && first <= NINE && isArrayIndexKey(key)) || key === '__proto__') return null;
  }
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
  for (let i = 1; i < order.length; i++) if (keys[order[i]] === keys[order[i - 1]]) return null;
  return { order, prefixes: order.map((index, i) => `${i === 0 ? '{' : ','}"${keys[index]}":`) };
}

/**
 * JSON's number grammar. Short integers are already spelled as JavaScript spells them; anything
 * else (fraction, exponent, more than 15 digits) is respelled through Number, which rounds exactly
 * as JSON.parse does.
 */
function number(): string | undefined {
  const start = at;
  if (source.charCodeAt(at) === MINUS) at++;
  const intStart = at;
  if (!digits()) return undefined;
  const intDigits = at - intStart;
  if (intDigits > 1 && source.charCodeAt(intStart) === ZERO) return undefined;
  let simple = intDigits <= 15;
  if (source.charCodeAt(at) === DOT) {
    at++;
    if (!digits()) return undefined;
    simple = false;
  }
  const e = source.charCodeAt(at);
  if (e === 101 || e === 69) {
    at++;
    const sign = source.charCodeAt(at);
    if (sign === PLUS || sign === MINUS) at++;
    if (!digits()) return undefined;
    simple = false;
  }
  const text = source.slice(start, at);
  if (simple) return text === '-0' ? '0' : text;
  const n = Number(text);
  return Number.isFinite(n) ? String(n) : 'null';
}

function digits(): boolean {
  const start = at;
  for (let c = source.charCodeAt(at); c >= ZERO && c <= NINE; c = source.charCodeAt(at)) at++;
  return at > start;
}
