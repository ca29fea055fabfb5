/**
 * The JSON Schema (draft 2020-12) form of a Spark type, for code generation
 * (json-schema-to-typescript and the like).
 *
 * - struct → object with `properties` in field order, `required` listing the non-nullable fields,
 *   `additionalProperties: false` (a row has exactly the schema's fields);
 * - nullable field / array element / map value → `type: [..., "null"]`;
 * - bigint → integer (values beyond ±(2^53−1) arrive as JS bigint at runtime: noted in `$comment`),
 *   int → integer with its 32-bit bounds;
 * - double/float → number; boolean → boolean; string → string; null → null;
 * - decimal(p,s) → string with a pattern allowing at most p−s integer and s fraction digits;
 * - date → string/`date`, timestamp → string/`date-time`; binary → string with base64 encoding;
 * - map → object with `additionalProperties`; array → array with `items`.
 * @packageDocumentation
 */
import type { DataType, DecimalType } from "./types.js";

type Schema = Record<string, unknown>;

function decimalPattern(t: DecimalType): string {
  const intDigits = t.precision - t.scale;
  const intPart = intDigits === 0 ? "0" : `[0-9]{1,${intDigits}}`;
  const fraction = t.scale === 0 ? "" : `(\\.[0-9]{1,${t.scale}})?`;
  return `^-?${intPart}${fraction}$`;
}

/** Adds "null" to a schema's type, or wraps it when it has none (a `$ref`-free composite). */
function orNull(schema: Schema): Schema {
  const type = schema["type"];
  if (typeof type === "string") return { ...schema, type: type === "null" ? "null" : [type, "null"] };
  if (Array.isArray(type)) return type.includes("null") ? schema : { ...schema, type: [...type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

function convert(t: DataType): Schema {
  switch (t.kind) {
    case "string":
      return { type: "string" };
    case "long":
      return {
        type: "integer",
        $comment: "Spark bigint (64-bit): values beyond ±(2^53−1) are JS bigint at runtime",
      };
    case "integer":
      return { type: "integer", minimum: -2147483648, maximum: 2147483647 };
    case "double":
    case "float":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    case "null":
      return { type: "null" };
    case "decimal": {
      const d = t;
      return { type: "string", pattern: decimalPattern(d), $comment: `Spark ${d.simpleString()}` };
    }
    case "date":
      return { type: "string", format: "date" };
    case "timestamp":
      return { type: "string", format: "date-time" };
    case "binary":
      return { type: "string", contentEncoding: "base64" };
    case "array": {
      const a = t;
      const items = convert(a.elementType);
      return { type: "array", items: a.containsNull ? orNull(items) : items };
    }
    case "map": {
      const m = t;
      const values = convert(m.valueType);
      return { type: "object", additionalProperties: m.valueContainsNull ? orNull(values) : values };
    }
    case "struct": {
      const s = t;
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      for (const f of s.fields) {
        let field = convert(f.dataType);
        if (f.nullable) field = orNull(field);
        else required.push(f.name);
        const comment = f.metadata["comment"];
        if (typeof comment === "string") field = { ...field, description: comment };
        // A field named `__proto__` must become a property, not the object's prototype.
        Object.defineProperty(properties, f.name, { value: field, enumerable: true, writable: true, configurable: true });
      }
      return {
        type: "object",
        properties,
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      };
    }
  }
}

export function toJsonSchema(type: DataType, title?: string): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    ...(title === undefined ? {} : { title }),
    ...convert(type),
  };
}
