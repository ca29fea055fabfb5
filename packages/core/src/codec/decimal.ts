/**
 * Exact decimal arithmetic on number lexemes: no double is ever involved, so `1e400`, 20-digit
 * integers and `0.1` keep their exact value.
 * @packageDocumentation
 */

export interface DecimalParts {
  negative: boolean;
  /** Significant digits without leading or trailing zeros ("" for zero). */
  digits: string;
  /** value = digits × 10^exponent */
  exponent: number;
}

const DECIMAL_LEXEME = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

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
export function decimalText(lexeme: string, precision: number, scale: number): string | undefined {
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
