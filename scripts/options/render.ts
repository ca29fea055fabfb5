/**
 * Renders option-table rows three ways: a JSON Schema property (job.schema.json, and through it
 * the generated option types), a Markdown table (READMEs) and a TSDoc comment (the typed option
 * objects). All three start from the same sentences, so they cannot say different things.
 */
import type { OptionRow, OptionTable } from "../../packages/core/src/option-table.ts";

/** What the README's default cell says. */
export function defaultCell(row: OptionRow): string {
  if (row.defaultText !== undefined) return row.defaultText;
  if (row.required) return "required";
  if (!("default" in row) || row.default === undefined) return "—";
  const unit = row.kind === "int" && row.unit ? ` (${row.unit})` : "";
  return `\`${String(row.default)}\`${unit}`;
}

/** The row's documentation with what the table knows besides it: bounds and secrecy. */
export function meaning(row: OptionRow): string {
  const parts = [row.doc];
  if (row.kind === "int" || row.kind === "number") {
    if (row.min !== undefined && row.max !== undefined) parts.push(`Range: ${row.min}..${row.max}.`);
    else if (row.min !== undefined) parts.push(`At least ${row.min}.`);
    else if (row.max !== undefined) parts.push(`At most ${row.max}.`);
  }
  if (row.kind === "string" && row.secret) parts.push("Never logged or echoed in errors.");
  return parts.join(" ");
}

/** Plain text of the default for prose: no trailing "—". */
function defaultSentence(row: OptionRow): string {
  const cell = defaultCell(row);
  if (cell === "—") return "";
  if (/^required\b/.test(cell)) return `R${cell.slice(1)}.`;
  return `Default: ${cell}.`;
}

/** The JSON Schema of one row (its `json` keywords win over the ones derived from its kind). */
export function schemaProperty(row: OptionRow): Record<string, unknown> {
  let derived: Record<string, unknown>;
  switch (row.kind) {
    case "string":
      derived = row.allowEmpty ? { type: "string" } : { type: "string", minLength: 1 };
      break;
    case "int":
    case "number":
      derived = {
        type: row.kind === "int" ? "integer" : "number",
        ...(row.min !== undefined ? { minimum: row.min } : {}),
        ...(row.max !== undefined ? { maximum: row.max } : {}),
      };
      break;
    case "boolean":
      // Spark passes options as strings, and specs written for it say "true".
      derived = { type: ["boolean", "string"] };
      break;
    case "enum":
      derived = { type: "string", enum: [...row.values] };
      break;
    case "object":
      derived = { type: "object" };
      break;
    case "list":
      derived = { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
      break;
  }
  // A reference stands alone: json-schema-to-typescript copies a referenced type that has a sibling.
  if (row.json && "$ref" in row.json) return { ...row.json };
  // A choice of shapes says the whole type itself.
  if (row.json && "oneOf" in row.json) derived = {};
  const description = [meaning(row), defaultSentence(row)].filter(Boolean).join(" ");
  return { ...derived, ...("default" in row && row.default !== undefined ? { default: row.default } : {}), ...row.json, description };
}

/** The `properties`/`required` of an object schema holding the table's documented rows (aliases too). */
export function schemaObject(table: OptionTable, title: string, description: string, filter: (row: OptionRow) => boolean = () => true): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, row] of Object.entries(table)) {
    if (row.engine || !filter(row)) continue;
    properties[name] = schemaProperty(row);
    for (const alias of row.aliases ?? []) {
      properties[alias] = { ...schemaProperty(row), description: `Alias of \`${name}\`.` };
    }
    if (row.required === true) required.push(name);
  }
  return {
    title,
    description,
    type: "object",
    additionalProperties: false,
    ...(required.length ? { required } : {}),
    properties,
  };
}

/** A Markdown table of the rows of `group` (every documented row when undefined). */
export function markdownTable(table: OptionTable, connectorHeading?: string, group?: string): string {
  const head = connectorHeading ? ["option", "default", "meaning", connectorHeading] : ["option", "default", "meaning"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const [name, row] of Object.entries(table)) {
    if (row.engine || (group !== undefined && row.group !== group)) continue;
    const names = [name, ...(row.aliases ?? [])].map((n) => `\`${n}\``).join(" / ");
    const cells = [names, defaultCell(row), meaning(row)];
    if (connectorHeading) cells.push(row.connector ?? "—");
    lines.push(`| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}

/** TSDoc text of a row for the typed options object, wrapped to `width` columns after `indent`. */
export function tsdoc(name: string, row: OptionRow, indent: string, width = 100): string {
  const source = !row.field || row.field === name ? "" : `From option \`${name}\`: `;
  const words = `${source}${meaning(row)} ${defaultSentence(row)}`.trim().replace(/\*\//g, "*\\/").split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && indent.length + 3 + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  if (lines.length === 1 && indent.length + 7 + lines[0]!.length <= width) return `/** ${lines[0]} */`;
  return ["/**", ...lines.map((l) => `${indent} * ${l}`), `${indent} */`].join("\n");
}
