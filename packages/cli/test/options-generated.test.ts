import { describe, expect, it } from "vitest";
import { CaseInsensitiveOptions, isOptionError, type OptionTable } from "@macrometa-spark/core";
import { COLLECTION_OPTIONS, parseCollectionOptions } from "@macrometa-spark/collection";
import { DATABRICKS_OPTIONS, parseReadOptions, parseWriteOptions } from "@macrometa-spark/databricks";
import { STREAM_OPTIONS, parseStreamOptions } from "@macrometa-spark/stream";
import { staleFiles } from "../../../scripts/options/generate.ts";

// The option tables are the one source of the job schema, the generated types, the README tables
// and the options objects' TSDoc; `npm run options` rewrites those files.
describe("files generated from the option tables", () => {
  it("are up to date (else run npm run options)", async () => {
    expect(await staleFiles()).toEqual([]);
  });
});

interface Format {
  table: OptionTable;
  /** Options every parse needs. */
  minimal: Record<string, unknown>;
  /** The parsed options, flattened to one level (connection options sit beside the others). */
  parse: (o: Record<string, unknown>) => Record<string, unknown>;
  /** Rows for the other purpose are not this parser's. */
  purpose?: "read" | "write";
}

/** Connection (and a read's change-feed) options beside the others, as the table lists them. */
const flatten = (parsed: { connection: object; changeFeed?: object }): Record<string, unknown> => ({ ...parsed.connection, ...parsed.changeFeed, ...parsed });

const DATABRICKS_MINIMAL = { host: "localhost", httpPath: "/sql/1.0/warehouses/w", token: "dapi-x", table: "t" };

const FORMATS: Record<string, Format> = {
  collection: {
    table: COLLECTION_OPTIONS,
    minimal: { regionUrl: "http://127.0.0.1:1", apiKey: "t.k.s", collection: "c" },
    parse: (o) => ({ ...parseCollectionOptions(new CaseInsensitiveOptions(o), "read") }),
  },
  stream: {
    table: STREAM_OPTIONS,
    minimal: { regionUrl: "http://127.0.0.1:1", apiKey: "t.k.s", stream: "s" },
    parse: (o) => ({ ...parseStreamOptions(new CaseInsensitiveOptions(o)) }),
  },
  "databricks write": {
    table: DATABRICKS_OPTIONS,
    minimal: DATABRICKS_MINIMAL,
    purpose: "write",
    parse: (o) => flatten(parseWriteOptions(new CaseInsensitiveOptions(o))),
  },
  "databricks read": {
    table: DATABRICKS_OPTIONS,
    minimal: DATABRICKS_MINIMAL,
    purpose: "read",
    parse: (o) => flatten(parseReadOptions(new CaseInsensitiveOptions(o))),
  },
};

/** The rows of `f`'s table its parser reads. */
function rows(f: Format): [string, OptionTable[string]][] {
  return Object.entries(f.table).filter(([, row]) => f.purpose === undefined || row.appliesTo === undefined || row.appliesTo === f.purpose);
}

/** A value of the row's type. */
function sample(row: OptionTable[string]): unknown {
  switch (row.kind) {
    case "int":
    case "number":
      return row.min ?? 1;
    case "boolean":
      return true;
    case "enum":
      return row.values[0];
    case "object":
      return {};
    default:
      return "x";
  }
}

function refusal(f: Format, extra: Record<string, unknown>): string | undefined {
  try {
    f.parse({ ...f.minimal, ...extra });
    return undefined;
  } catch (err) {
    if (!isOptionError(err)) throw err;
    return err.message;
  }
}

describe.each(Object.entries(FORMATS))("the %s parser reads its table", (_name, f) => {
  it("applies each row's default", () => {
    const parsed = f.parse(f.minimal);
    for (const [name, row] of rows(f)) {
      if (!("default" in row) || row.default === undefined || row.field === false || name in f.minimal) continue;
      expect(parsed[(row.field as string | undefined) ?? name], name).toEqual(row.default);
    }
  });
  it("accepts every name and alias, and refuses any other", () => {
    for (const [name, row] of rows(f)) {
      for (const spelling of [name, ...(row.aliases ?? [])]) {
        // Another rule may refuse the sample value; the name itself must be known.
        expect(refusal(f, { [spelling]: sample(row) }) ?? "", spelling).not.toMatch(/unknown option/);
      }
    }
    expect(refusal(f, { notAnOption: 1 })).toMatch(/unknown option/);
  });
  it("refuses a number outside a row's bounds", () => {
    for (const [name, row] of rows(f)) {
      if (row.kind !== "int" && row.kind !== "number") continue;
      if (row.min !== undefined) expect(refusal(f, { [name]: row.min - 1 }), name).toContain(name);
      if (row.max !== undefined) expect(refusal(f, { [name]: row.max + 1 }), name).toContain(name);
    }
  });
  it("refuses a value outside an enum row's values", () => {
    for (const [name, row] of rows(f)) {
      if (row.kind === "enum") expect(refusal(f, { [name]: "no-such-value" }), name).toMatch(/expected one of/);
    }
  });
});
