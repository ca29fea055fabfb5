/**
 * The state of the one document a decoder is reading. Converters are synchronous and never
 * re-entered, so each compiled decoder owns one of these and its converters share it, instead of
 * threading a result object through every call.
 * @packageDocumentation
 */

/** Thrown (never escapes the decoder) when the current document must be re-read with the lossless parser. */
export const NEED_LEXEMES = Symbol("need lexemes");

export class DecodeState {
  /** Where the first mismatch of the current document was (undefined: none so far). */
  failPath: string | undefined = undefined;
  /** Why it did not match. */
  failReason = "";
  /** The value came from JSON.parse: number lexemes are gone, so converters that need one ask for a re-parse. */
  fastMode = false;

  /** Records the first mismatch of the document; returns the null its value reads as. */
  mismatch(path: string, reason: string): null {
    if (this.failPath === undefined) {
      this.failPath = path;
      this.failReason = reason;
    }
    return null;
  }

  /** Forgets the current document's mismatch, before the next document (or a re-read). */
  reset(): void {
    this.failPath = undefined;
    this.fastMode = false;
  }
}
