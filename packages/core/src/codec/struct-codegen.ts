/**
 * Code generation for the per-document loop of a struct (see {@link generateStructLoop}).
 * @packageDocumentation
 */
import type { StructType } from "../types.js";
import type { Converter } from "./converters.js";

/** Placeholder for a field not (yet) found in the document; replaced before the row escapes. */
export const MISSING = Symbol("missing");

/**
 * The per-document loop of a struct, generated once per struct so every field is read with a
 * constant property name (monomorphic inline caches: documents of one shape share a hidden class)
 * and common types convert inline. A closure loop reading `v[names[i]]` measured about twice as
 * slow. Names enter the source only as JSON string literals.
 */
export function generateStructLoop(
  t: StructType,
  converters: Converter[],
  inherited: boolean[],
  checkExtras: boolean,
  helpers: Record<string, unknown>,
): Converter {
  const n = t.fields.length;
  const lines: string[] = [
    "return function struct(v) {",
    "if (v === null || v === undefined) return null;",
    "if (!isPlainObject(v)) return notObject(v);",
    `const row = new Array(${n});`,
    "let found = 0, x;",
  ];
  t.fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const c = `c[${i}]`;
    let fast: string;
    switch (f.dataType.kind) {
      case "string":
        fast = `typeof x === "string" ? x : ${c}(x)`;
        break;
      case "long":
        fast = `typeof x === "number" && Number.isSafeInteger(x) ? x + 0 : ${c}(x)`;
        break;
      case "boolean":
        fast = `typeof x === "boolean" ? x : ${c}(x)`;
        break;
      case "double":
        fast = `typeof x === "number" && (Number.isSafeInteger(x) || (x % 1 !== 0 && Number.isFinite(x))) ? x : ${c}(x)`;
        break;
      default:
        fast = `${c}(x)`;
    }
    const missing = inherited[i] ? `x === undefined || !hasOwn.call(v, ${key})` : "x === undefined";
    lines.push(`x = v[${key}]; if (${missing}) row[${i}] = MISSING; else { found++; row[${i}] = ${fast}; }`);
  });
  lines.push(`if (found < ${n}) reconcile(v, row);`);
  if (checkExtras) lines.push(`else { let keys = 0; for (const _ in v) keys++; if (keys > found) reconcile(v, row); }`);
  lines.push("return row;", "};");
  const names = ["c", ...Object.keys(helpers)];
  const factory = new Function(...names, lines.join("\n")) as (...args: unknown[]) => Converter;
  return factory(converters, ...Object.values(helpers));
}
