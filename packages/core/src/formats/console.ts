/**
 * The `console` format: prints each micro-batch as Spark's console sink does (a `Batch: N` banner,
 * then `show(numRows, truncate)`), or a batch DataFrame's table. Output goes to the writer given
 * to the provider (the registered default writes to stdout); tests register their own.
 * @packageDocumentation
 */
import type {
  BatchWrite,
  DataWriter,
  LogicalWriteInfo,
  Row,
  RowBatch,
  StreamingWrite,
  Table,
  TableCapability,
  TableProvider,
  WriterCommitMessage,
} from "../contracts.js";
import { UnsupportedOperationError } from "@macrometa-spark/kit";
import { showString } from "../display.js";
import type { CaseInsensitiveOptions } from "../options.js";
import { TableOptions } from "../option-table.js";
import { CONSOLE_OPTIONS } from "./option-tables.js";
import { StructType } from "../types.js";

/** Options of the `console` format. */
export interface ConsoleFormatOptions {
  /** Rows printed per batch. Default: 20. */
  numRows?: number;
  /** Cut cells to 20 characters (`true`), not at all (`false`), or to a number of characters. Default: true. */
  truncate?: boolean | number;
}

const CAPABILITIES: ReadonlySet<TableCapability> = new Set<TableCapability>(["BATCH_WRITE", "STREAMING_WRITE"]);
const BANNER = "-------------------------------------------";

export interface ConsoleProviderOptions {
  /** Where text goes. Default: process.stdout. */
  write?: (text: string) => void;
}

export class ConsoleProvider implements TableProvider {
  readonly formats = ["console", "org.apache.spark.sql.execution.streaming.ConsoleSinkProvider"];
  private readonly out: (text: string) => void;
  constructor(options: ConsoleProviderOptions = {}) {
    this.out = options.write ?? ((t) => void process.stdout.write(t));
  }
  async inferSchema(): Promise<StructType> {
    throw new UnsupportedOperationError("the console format is a sink; it cannot be read", { format: "console" });
  }
  async getTable(_schema: StructType | undefined, options: CaseInsensitiveOptions): Promise<Table> {
    const table = new TableOptions(options, CONSOLE_OPTIONS);
    const numRows = table.int("numRows");
    const t = options.get("truncate");
    // A number is a width; the table's boolean row covers the on/off spelling.
    const truncate = typeof t === "number" ? t : table.boolean("truncate") ? 20 : 0;
    const out = this.out;
    return {
      name: "console",
      schema: new StructType(),
      capabilities: CAPABILITIES,
      newWriteBuilder: (info: LogicalWriteInfo) => ({
        buildForBatch: (): BatchWrite => ({
          createWriter: (i: number) => sampleWriter(numRows, i),
          commit: async (messages) => out(render(info.schema, messages, numRows, truncate) + "\n"),
          abort: async () => {},
        }),
        buildForStreaming: (): StreamingWrite => {
          let schema = info.schema;
          return {
            evolveSchema: async (_epochId, widened) => {
              schema = widened;
            },
            createWriter: (i: number) => sampleWriter(numRows, i),
            commit: async (epochId, messages) => out(`${BANNER}\nBatch: ${epochId}\n${BANNER}\n${render(schema, messages, numRows, truncate)}\n`),
            abort: async () => {},
          };
        },
      }),
    };
  }
}

function render(schema: StructType, messages: WriterCommitMessage[], numRows: number, truncate: number): string {
  const sorted = [...messages].sort((a, b) => (a.partition as number) - (b.partition as number));
  const rows: Row[] = [];
  let total = 0;
  for (const m of sorted) {
    total += m.count as number;
    for (const r of m.rows as Row[]) if (rows.length < numRows) rows.push(r);
  }
  // One extra row tells showString there is more, as Spark's show fetches numRows + 1.
  if (total > numRows) rows.push([]);
  return showString(schema, rows, numRows, truncate);
}

/** Keeps only the rows the console can show, and counts the rest. */
function sampleWriter(numRows: number, partition: number): DataWriter {
  const rows: Row[] = [];
  let count = 0;
  return {
    async write(batch: RowBatch) {
      for (const r of batch) if (rows.length < numRows) rows.push(r);
      count += batch.length;
    },
    async commit() {
      return { partition, rows, count };
    },
    async abort() {},
  };
}
