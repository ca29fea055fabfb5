/**
 * The one exact-decimal module: number lexemes read and rewritten as text, never through a
 * double, so `1e400`, 20-digit integers and `0.1` keep their exact value. The codecs (fit into
 * decimal(p,s), exact integers) and the Databricks literals and parameters (exponents expanded)
 * use it; local-warehouse keeps an independent copy on purpose and is tested against the same
 * table of expected results (test/tables/plain-decimal.json).
 * @packageDocumentation
 */

export interface DecimalParts {
  negative: boolean;
  /** Significant digits without leading or trailing zeros ("" for zero). */
  digits: string;
  /** value = digits × 10^exponent */
  exponent: number;
}

/** A decimal number as JSON, Jackson and Spark SQL write it: sign, digits with an optional point, exponent. */
const DECIMAL_LEXEME = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Whether `text` is a decimal number lexeme (`-1`, `1.`, `.5`, `2.5E-3`; not `.`, `1e`, spaces). */
export function isDecimalLexeme(text: string): boolean {
  const m = DECIMAL_LEXEME.exec(text);
  return m !== null && (m[2] !== "" || (m[3] ?? "") !== "");
}

export function decimalParts(lexeme: string): DecimalParts | undefined {
  const m = DECIMAL_LEXEME.exec(lexeme);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const frac = m[3] ?? "";
  let digits = m[2]! + frac;
  const expText = m[4] ?? "0";
  // Exponents this large put the value beyond every type we convert to; avoid huge BigInts.
  if (expText.length > 9) return digits.replace(/0/g, "") === "" ? { negative: false, digits: "", exponent: 0 } : undefined;
  let exponent = Number(expText) - frac.length;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let stop = digits.length;
  while (stop > start && digits.charCodeAt(stop - 1) === 48) stop--;
  exponent += digits.length - stop;
  digits = digits.slice(start, stop);
  if (digits === "") return { negative: false, digits: "", exponent: 0 };
  return { negative: m[1] === "-", digits, exponent };
}

/** The exact integer a lexeme denotes, or undefined when it has a fraction or is beyond ±10^40. */
export function exactInteger(lexeme: string): bigint | undefined {
  const p = decimalParts(lexeme);
  if (!p || p.exponent < 0) return undefined;
  if (p.digits.length + p.exponent > 40) return undefined;
  const v = BigInt(p.digits + "0".repeat(p.exponent));
  return p.negative ? -v : v;
}

/** A decimal(precision, scale) value's text with exactly `scale` fraction digits, or undefined when it does not fit. */
export function scaledDecimalText(lexeme: string, precision: number, scale: number): string | undefined {
  const p = decimalParts(lexeme);
  if (!p) return undefined;
  if (p.digits === "") return scale === 0 ? "0" : "0." + "0".repeat(scale);
  const fractionDigits = Math.max(0, -p.exponent);
  if (fractionDigits > scale) return undefined;
  const integerDigits = p.digits.length + p.exponent;
  if (integerDigits > precision - scale) return undefined;
  // Scaled integer: digits × 10^(exponent + scale).
  const scaled = p.digits + "0".repeat(p.exponent + scale);
  const padded = scaled.padStart(scale + 1, "0");
  const intPart = padded.slice(0, padded.length - scale);
  const text = scale === 0 ? intPart : `${intPart}.${padded.slice(padded.length - scale)}`;
  return p.negative ? "-" + text : text;
}

/** Exponents beyond this are refused rather than expanded into thousands of digits (no DECIMAL holds them). */
export const MAX_PLAIN_EXPONENT = 400;

/**
 * The lexeme with its exponent worked into the digits, exactly: `1.5e-3` → `0.0015`,
 * `-2.5E+3` → `-2500`, `0.000e2` → `0.0`. The digits are kept as written (trailing zeros give the
 * scale), and a lexeme without an exponent comes back unchanged. Undefined when `text` is not a
 * decimal lexeme or its exponent is beyond ±{@link MAX_PLAIN_EXPONENT}.
 */
export function plainDecimalText(text: string): string | undefined {
  const m = DECIMAL_LEXEME.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  if (m[4] === undefined) return text;
  const exp = Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > MAX_PLAIN_EXPONENT) return undefined;
  const written = m[2]! + (m[3] ?? "");
  // Where the decimal point falls within the written digits once the exponent is applied.
  const point = m[2]!.length + exp;
  const padded = point <= 0 ? "0".repeat(1 - point) + written : written.padEnd(point, "0");
  const at = Math.max(point, 1);
  const whole = padded.slice(0, at).replace(/^0+(?=\d)/, "");
  const frac = padded.slice(at);
  return `${m[1] === "-" ? "-" : ""}${whole}${frac === "" ? "" : `.${frac}`}`;
}
