/**
 * Lossless JSON: documents keep every number's lexeme (`1.0` stays `1.0`, 20-digit integers stay
 * exact) because Spark-style schema inference downstream reads lexemes from what we serve.
 * @packageDocumentation
 */

/** A JSON number whose lexeme would not survive a round trip through a JS double. */
export class LosslessNumber {
  constructor(readonly lexeme: string) {}
  valueOf(): number {
    return Number(this.lexeme);
  }
  /** Integral lexemes as bigint (exact), others undefined. */
  toBigInt(): bigint | undefined {
    return /^-?\d+$/.test(this.lexeme) ? BigInt(this.lexeme) : undefined;
  }
  toString(): string {
    return this.lexeme;
  }
  /** For generic JSON.stringify callers only; our own serialisers write the exact lexeme. */
  toJSON(): number {
    return Number(this.lexeme);
  }
}

export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export class JsonSyntaxError extends Error {}

/*
 * Any lexeme JSON.parse could alter matches this: exponents, trailing fraction zeros, long digit
 * runs (> 15 significant digits), tiny magnitudes and negative zero. Matches inside strings only
 * cost the slow path, never correctness.
 */
const RISKY_NUMBER = /\d[eE]|\.\d*0(?!\d)|[\d.]{16,}|-0(?![.\d])|\.0{5}/;

/** Parses JSON text; numbers that a double would alter become {@link LosslessNumber}. */
export function parseJson(text: string): { value: JsonValue; lossless: boolean } {
  if (!RISKY_NUMBER.test(text)) {
    try {
      return { value: JSON.parse(text) as JsonValue, lossless: false };
    } catch (e) {
      throw new JsonSyntaxError((e as Error).message);
    }
  }
  const p = new Parser(text);
  const value = p.parseDocument();
  return { value, lossless: p.sawLossless };
}

class Parser {
  private i = 0;
  sawLossless = false;
  constructor(private readonly s: string) {}

  parseDocument(): JsonValue {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail("unexpected trailing characters");
    return v;
  }
  private fail(msg: string): never {
    throw new JsonSyntaxError(`${msg} at position ${this.i}`);
  }
  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }
  private value(): JsonValue {
    this.ws();
    const c = this.s[this.i];
    switch (c) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
        return this.fail(c === undefined ? "unexpected end of input" : `unexpected character '${c}'`);
    }
  }
  private literal<T extends JsonValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    return this.fail("invalid literal");
  }
  private object(): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected a string key");
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail("expected ':'");
      this.i++;
      out[k] = this.value();
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return out;
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }
  private array(): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }
  private string(): string {
    const s = this.s;
    const start = this.i + 1;
    let j = start;
    // Strings without escapes are the common case; slice them out directly.
    for (;;) {
      const c = s.charCodeAt(j);
      if (c === 34) {
        this.i = j + 1;
        return s.slice(start, j);
      }
      if (c === 92) break;
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c < 32) this.fail("control character in string");
      j++;
    }
    // Escaped: find the closing quote and let JSON.parse decode the escapes.
    let k = j;
    for (;;) {
      const c = s.charCodeAt(k);
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c === 92) k += 2;
      else if (c === 34) break;
      else k++;
    }
    this.i = k + 1;
    try {
      return JSON.parse(s.slice(start - 1, k + 1)) as string;
    } catch {
      return this.fail("invalid string escape");
    }
  }
  private number(): number | LosslessNumber {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) return this.fail("invalid number");
    const lex = r[0];
    this.i += lex.length;
    const n = Number(lex);
    if (String(n) === lex) return n;
    this.sawLossless = true;
    return new LosslessNumber(lex);
  }
}

/**
 * Serialises a value, writing {@link LosslessNumber}s with their lexeme; `cached` may supply the
 * ready text of an object (stored documents).
 */
export function stringifyJson(v: JsonValue | undefined, cached?: (o: object) => string | undefined): string {
  if (v === undefined) return "null";
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    default:
      break;
  }
  if (v instanceof LosslessNumber) return v.lexeme;
  if (cached) {
    const t = cached(v);
    if (t !== undefined) return t;
  }
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (i) out += ",";
      out += stringifyJson(v[i], cached);
    }
    return out + "]";
  }
  let out = "{";
  let first = true;
  for (const k in v as JsonObject) {
    const x = (v as JsonObject)[k];
    if (x === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += JSON.stringify(k) + ":" + stringifyJson(x, cached);
  }
  return out + "}";
}

/** Serialise with the native stringifier when the value is known to hold no lossless numbers. */
export function serialize(v: JsonValue, mayHoldLossless: boolean): string {
  return mayHoldLossless ? stringifyJson(v) : JSON.stringify(v);
}

/** Plain JS view of a value for consumers that cannot see lexemes (bigint for unsafe integers). */
export function isLossless(v: unknown): v is LosslessNumber {
  return v instanceof LosslessNumber;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof LosslessNumber);
}

/**
 * A text that is equal exactly for values the server treats as equal: 1 and 1.0 are one number and
 * object attribute order does not matter (unique indexes, COLLECT groups, UNIQUE).
 */
export function equalityKey(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "null";
  if (v instanceof LosslessNumber) {
    const b = v.toBigInt();
    return b !== undefined ? b.toString() : JSON.stringify(Number(v.lexeme));
  }
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v).toString() : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(equalityKey).join(",")}]`;
  if (typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${equalityKey(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}
