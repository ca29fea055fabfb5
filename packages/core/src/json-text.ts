/**
 * Lossless JSON: numbers keep their source lexeme so inference can tell `1` from `1.0` from a
 * 20-digit integer, as Spark (Jackson) does. STUB: signatures fixed, implementation pending.
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
}

export type LosslessJson = null | boolean | string | JsonNumber | LosslessJson[] | { [key: string]: LosslessJson };

/** Parses one JSON text keeping number lexemes; throws SyntaxError (with position) when malformed. */
export function parseJsonLossless(_text: string): LosslessJson {
  throw new Error("parseJsonLossless: not implemented yet");
}

/** JSON text of a value that may hold bigint, JsonNumber, Date, Uint8Array (base64) or nested rows as objects. */
export function stringifyJson(_value: unknown): string {
  throw new Error("stringifyJson: not implemented yet");
}
