/**
 * Lossless JSON: numbers keep their source lexeme so inference can tell `1` from `1.0` from a
 * 20-digit integer, as Spark (Jackson) does.
 *
 * The grammar is the one Spark's Jackson factory accepts with Spark's default JSONOptions:
 * - strings in double or single quotes (`\'` is a valid escape in both);
 * - `NaN`, `Infinity`, `+Infinity`, `-Infinity`, `+INF`, `-INF` as numbers (lexemes normalised to
 *   `NaN`, `Infinity`, `-Infinity` so `Number(lexeme)` is right);
 * - rejected: comments, unquoted names, leading zeros (`01`), a leading `+` on finite numbers,
 *   `.5` / `1.`, trailing commas, raw control characters inside strings;
 * - only the first value is read; text after it is ignored, except that a top-level number must be
 *   followed by whitespace or the end (Jackson's "root-level values need a separating space");
 * - blank text reads as `null` (Spark treats a blank line as a null document).
 * @packageDocumentation
 */

/** A JSON number kept with its source text. */
export class JsonNumber {
  constructor(readonly lexeme: string) {}
  valueOf(): number {
    return Number(this.lexeme);
  }
  toJSON(): number {
    return Number(this.lexeme);
  }
  /** True when the lexeme is an integer token (no `.`, exponent, NaN or Infinity): Jackson's VALUE_NUMBER_INT. */
  get isIntegerToken(): boolean {
    return isIntegerLexeme(this.lexeme);
  }
  toString(): string {
    return this.lexeme;
  }
}

export type LosslessJson = null | boolean | string | JsonNumber | LosslessJson[] | { [key: string]: LosslessJson };

/** Whether a number lexeme is an integer token (digits with an optional leading `-`). */
export function isIntegerLexeme(lexeme: string): boolean {
  for (let i = lexeme.charCodeAt(0) === 45 ? 1 : 0; i < lexeme.length; i++) {
    const c = lexeme.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return lexeme.length > 0;
}

// Parser state lives at module level: the parser is synchronous and never re-entered, and plain
// variables are faster than fields of a per-call object on this hot path.
let src = "";
let pos = 0;
let end = 0;
/** Extra entries of objects with repeated keys, recorded only when inference asks for them. */
let duplicates: WeakMap<object, [string, LosslessJson][]> | undefined;

function fail(message: string): never {
  throw new SyntaxError(`${message} at position ${pos}`);
}

function skipWhitespace(): void {
  while (pos < end) {
    const c = src.charCodeAt(pos);
    if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
    else return;
  }
}

function describe(c: number): string {
  return Number.isNaN(c) ? "end of input" : `'${String.fromCharCode(c)}'`;
}

function isIdentifierPart(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 0x80
  );
}

function expectWord(word: string): void {
  if (!src.startsWith(word, pos)) fail(`unrecognized token (expected '${word}')`);
  pos += word.length;
  // Jackson refuses `truex` or `nullable` as a whole token rather than reading a prefix of it.
  if (pos < end && isIdentifierPart(src.charCodeAt(pos))) fail(`unrecognized token '${word}${src[pos]}…'`);
}

function parseValue(): LosslessJson {
  const c = src.charCodeAt(pos);
  switch (c) {
    case 123: // {
      return parseObject();
    case 91: // [
      return parseArray();
    case 34: // "
    case 39: // '
      return parseString(c);
    case 116:
      expectWord("true");
      return true;
    case 102:
      expectWord("false");
      return false;
    case 110:
      expectWord("null");
      return null;
    case 78:
      expectWord("NaN");
      return NAN;
    case 73:
      expectWord("Infinity");
      return POS_INF;
    default:
      if (c === 45 || c === 43 || (c >= 48 && c <= 57)) return parseNumber();
      return fail(`unexpected character ${describe(c)}`);
  }
}

const NAN = new JsonNumber("NaN");
const POS_INF = new JsonNumber("Infinity");
const NEG_INF = new JsonNumber("-Infinity");

function parseNonNumeric(negative: boolean): JsonNumber {
  // Jackson accepts `Infinity` and its 3-letter spelling `INF` after an explicit sign.
  if (src.startsWith("Infinity", pos)) expectWord("Infinity");
  else if (src.startsWith("INF", pos)) expectWord("INF");
  else fail("expected digit");
  return negative ? NEG_INF : POS_INF;
}

function parseNumber(): JsonNumber {
  const start = pos;
  let c = src.charCodeAt(pos);
  if (c === 43) {
    pos++;
    // A leading plus is only Jackson's non-numeric `+Infinity` / `+INF`.
    if (src.charCodeAt(pos) === 73) return parseNonNumeric(false);
    return fail("leading '+' is not allowed");
  }
  if (c === 45) {
    pos++;
    c = src.charCodeAt(pos);
    if (c === 73) return parseNonNumeric(true);
  }
  if (c === 48) {
    pos++;
    c = src.charCodeAt(pos);
    if (c >= 48 && c <= 57) fail("leading zeros are not allowed");
  } else if (c >= 49 && c <= 57) {
    pos++;
    while (pos < end && (c = src.charCodeAt(pos)) >= 48 && c <= 57) pos++;
    if (pos >= end) c = NaN;
  } else {
    fail(`expected digit, found ${describe(c)}`);
  }
  if (c === 46) {
    pos++;
    const digits = pos;
    while (pos < end && (c = src.charCodeAt(pos)) >= 48 && c <= 57) pos++;
    if (pos === digits) fail("decimal point must be followed by a digit");
    if (pos >= end) c = NaN;
  }
  if (c === 101 || c === 69) {
    pos++;
    c = src.charCodeAt(pos);
    if (c === 43 || c === 45) pos++;
    const digits = pos;
    while (pos < end && (c = src.charCodeAt(pos)) >= 48 && c <= 57) pos++;
    if (pos === digits) fail("exponent must have a digit");
  }
  return new JsonNumber(src.slice(start, pos));
}

function parseString(quote: number): string {
  const start = ++pos;
  // Fast scan: most strings have no escapes.
  while (pos < end) {
    const c = src.charCodeAt(pos);
    if (c === quote) return src.slice(start, pos++);
    if (c === 92 || c < 32) break;
    pos++;
  }
  let out = src.slice(start, pos);
  while (pos < end) {
    const c = src.charCodeAt(pos);
    if (c === quote) {
      pos++;
      return out;
    }
    if (c < 32) fail("unescaped control character in string");
    if (c !== 92) {
      const chunk = pos;
      while (pos < end) {
        const d = src.charCodeAt(pos);
        if (d === quote || d === 92 || d < 32) break;
        pos++;
      }
      out += src.slice(chunk, pos);
      continue;
    }
    const e = src.charCodeAt(pos + 1);
    pos += 2;
    switch (e) {
      case 34:
        out += '"';
        break;
      case 39:
        out += "'";
        break;
      case 92:
        out += "\\";
        break;
      case 47:
        out += "/";
        break;
      case 98:
        out += "\b";
        break;
      case 102:
        out += "\f";
        break;
      case 110:
        out += "\n";
        break;
      case 114:
        out += "\r";
        break;
      case 116:
        out += "\t";
        break;
      case 117: {
        const hex = src.slice(pos, pos + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail("invalid \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 4;
        break;
      }
      default:
        pos -= 1;
        fail(`invalid escape ${describe(e)}`);
    }
  }
  return fail("unterminated string");
}

function setKey(obj: Record<string, LosslessJson>, key: string, value: LosslessJson): void {
  if (duplicates !== undefined && Object.prototype.hasOwnProperty.call(obj, key)) {
    const list = duplicates.get(obj) ?? [];
    list.push([key, value]);
    duplicates.set(obj, list);
    return;
  }
  // Assigning `__proto__` would change the prototype instead of adding a field.
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function parseObject(): Record<string, LosslessJson> {
  pos++;
  const obj: Record<string, LosslessJson> = {};
  skipWhitespace();
  if (src.charCodeAt(pos) === 125) {
    pos++;
    return obj;
  }
  for (;;) {
    const q = src.charCodeAt(pos);
    if (q !== 34 && q !== 39) fail(`expected a quoted field name, found ${describe(q)}`);
    const key = parseString(q);
    skipWhitespace();
    if (src.charCodeAt(pos) !== 58) fail(`expected ':', found ${describe(src.charCodeAt(pos))}`);
    pos++;
    skipWhitespace();
    setKey(obj, key, parseValue());
    skipWhitespace();
    const c = src.charCodeAt(pos);
    if (c === 44) {
      pos++;
      skipWhitespace();
    } else if (c === 125) {
      pos++;
      return obj;
    } else {
      fail(`expected ',' or '}', found ${describe(c)}`);
    }
  }
}

function parseArray(): LosslessJson[] {
  pos++;
  const arr: LosslessJson[] = [];
  skipWhitespace();
  if (src.charCodeAt(pos) === 93) {
    pos++;
    return arr;
  }
  for (;;) {
    arr.push(parseValue());
    skipWhitespace();
    const c = src.charCodeAt(pos);
    if (c === 44) {
      pos++;
      skipWhitespace();
    } else if (c === 93) {
      pos++;
      return arr;
    } else {
      fail(`expected ',' or ']', found ${describe(c)}`);
    }
  }
}

function parseRoot(text: string): LosslessJson {
  src = text;
  pos = 0;
  end = text.length;
  try {
    // A byte-order mark is not content (Jackson skips it too).
    if (text.charCodeAt(0) === 0xfeff) pos = 1;
    skipWhitespace();
    if (pos >= end) return null;
    const value = parseValue();
    if (value instanceof JsonNumber && pos < end) {
      const c = src.charCodeAt(pos);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) fail("expected space separating root-level values");
    }
    return value;
  } finally {
    src = "";
  }
}

/** Parses one JSON text keeping number lexemes; throws SyntaxError (with position) when malformed. */
export function parseJsonLossless(text: string): LosslessJson {
  return parseRoot(text);
}

/**
 * Like {@link parseJsonLossless}, but also reports repeated keys of an object (the parsed object
 * keeps the last value, as JSON.parse does). Inference needs them: Spark gives each occurrence a
 * field.
 */
export function parseJsonLosslessWithDuplicates(text: string): {
  value: LosslessJson;
  duplicates: WeakMap<object, [string, LosslessJson][]>;
} {
  const found = new WeakMap<object, [string, LosslessJson][]>();
  duplicates = found;
  try {
    return { value: parseRoot(text), duplicates: found };
  } finally {
    duplicates = undefined;
  }
}

const BASE64_CHUNK = 0x8000;

/** Standard base64 (with padding) of bytes, as Spark writes binary values. */
export function toBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== "undefined") return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let bin = "";
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    bin += String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK));
  }
  return btoa(bin);
}

/** A finite JSON number's text; non-finite numbers have no JSON form, so they are written as strings. */
function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : `"${n}"`;
}

function writeValue(value: unknown, inArray: boolean): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return numberText(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
    case "function":
    case "symbol":
      return inArray ? "null" : undefined;
  }
  if (value === null) return "null";
  if (value instanceof JsonNumber) {
    const l = value.lexeme;
    return l === "NaN" || l === "Infinity" || l === "-Infinity" ? `"${l}"` : l;
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += writeValue(value[i], true);
    }
    return out + "]";
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "null" : JSON.stringify(value.toISOString());
  if (value instanceof Uint8Array) return `"${toBase64(value)}"`;
  if (value instanceof Map) {
    return writeObjectEntries(value.entries());
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return writeValue(toJSON.call(value), inArray);
  return writeObjectEntries(Object.entries(value as object));
}

function writeObjectEntries(entries: Iterable<[unknown, unknown]>): string {
  let out = "{";
  let first = true;
  for (const [k, v] of entries) {
    const text = writeValue(v, false);
    if (text === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += JSON.stringify(String(k)) + ":" + text;
  }
  return out + "}";
}

/**
 * JSON text of a value that may hold bigint, JsonNumber, Date, Uint8Array (base64) or nested rows
 * as objects. bigint and JsonNumber are written exactly (never through a double); Date as an ISO
 * string; NaN and ±Infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (Jackson's quoted
 * non-numeric form); `undefined` fields are left out and `undefined` array items become null.
 */
export function stringifyJson(value: unknown): string {
  return writeValue(value, false) ?? "null";
}
