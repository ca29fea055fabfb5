/**
 * @packageDocumentation
 * Table versions, as Delta numbers its commits: every statement that changes a Delta table (or its
 * schema or properties) commits the next version, with a commit timestamp, the operation's name,
 * parameters and metrics (what DESCRIBE HISTORY shows), and the rows it changed.
 *
 * Where it lives: in the table's catalog, schema `__local_warehouse` — `delta_commits` (one row per
 * version) and one change log per table (`changes:<schema>.<table>`: the table's columns plus the
 * version and the kind of change). Both are written in the same DuckDB transaction as the table's
 * rows (DuckDB lets one transaction write to one attached database only, hence the catalog, not the
 * main file), so a failed statement leaves no version behind and a restart on the same file finds
 * every version again.
 *
 * The change log serves both time travel and the change data feed: each version's deleted rows
 * (and update pre-images) and inserted rows (and post-images), so an older version is the current
 * table with later inserts taken out and later deletes put back (bag arithmetic, see time-travel.ts).
 * It is kept whether or not the change data feed is on; a version records whether the feed was on,
 * which is what table_changes checks.
 *
 * Versions of one table are allocated one at a time: a per-table lock is taken before the
 * statement's transaction begins, so concurrent appends from several sessions get consecutive
 * versions (Delta retries such blind appends) instead of conflicting.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { SqlError } from "../errors.js";
import { quoteIdent } from "../sql/tokenizer.js";
import type { StatementScope } from "../sql/scope.js";
import type { Session } from "../wire/session.js";
import { catalogDbName, duckTableName, META_SCHEMA, type TableRef, type Warehouse } from "../warehouse.js";

/** The kinds of rows in a change log, as stored (TINYINT). */
export const CHANGE_KIND = { insert: 1, delete: 2, preimage: 3, postimage: 4 } as const;

/** Log columns that are not the table's. */
export const VERSION_COLUMN = "_lw_version";
export const KIND_COLUMN = "_lw_kind";

/** What DESCRIBE HISTORY shows for a commit. */
export interface CommitInfo {
  /** Delta's operation name: `WRITE`, `CREATE TABLE`, `UPDATE`, `MERGE`, `COPY INTO`, … */
  operation: string;
  parameters: Record<string, string>;
  metrics?: Record<string, number | string>;
  /** True for an append that read nothing of the table (Delta's isBlindAppend). Default: false. */
  blindAppend?: boolean;
}

/** A table column as DuckDB stores it. */
export interface ColumnType {
  name: string;
  /** DuckDB's type name. */
  type: string;
  /** DuckDB's DEFAULT expression, if the column has one. */
  default?: string | undefined;
}

/** One version being written: where its changed rows go. */
export class Commit {
  constructor(
    readonly scope: StatementScope,
    readonly ref: TableRef,
    /** The version this statement commits. */
    readonly version: number,
  ) {}

  /** Set by {@link restartLog}: the rows of earlier versions are no longer kept. */
  restartedLog = false;

  /**
   * Starts the change log again, for a replace that changes the table's schema: the old rows no longer
   * fit the table's columns, so versions before this one can no longer be read (time travel to them is
   * refused, and a change feed range across it fails as an incompatible schema change, as in Delta).
   */
  async restartLog(): Promise<void> {
    await this.session.run(`DROP TABLE IF EXISTS ${this.log}`);
    this.logColumns = undefined;
    this.restartedLog = true;
  }

  get session(): Session {
    return this.scope.session;
  }

  get target(): string {
    return duckTableName(this.ref);
  }

  get log(): string {
    return changeLogName(this.ref);
  }

  /** The highest row id in the table now: rows appended later have greater ones (DuckDB numbers appends upward). */
  async highWater(): Promise<bigint> {
    const r = await this.session.run(`SELECT coalesce(max(rowid), -1) FROM ${this.target}`);
    return BigInt(String((await r.getRows())[0]![0]));
  }

  /** Records the table's rows appended since `highWater` as `kind` (inserts, or MERGE post-images). */
  async logAppended(since: bigint, kind: number = CHANGE_KIND.insert): Promise<number> {
    const cols = await this.syncLogColumns();
    const list = cols.map(quoteIdent).join(", ");
    const r = await this.session.run(
      `INSERT INTO ${this.log} (${VERSION_COLUMN}, ${KIND_COLUMN}, ${list}) SELECT ${this.version}, ${kind}, ${list} FROM ${this.target} WHERE rowid > ${since}`,
    );
    return r.rowsChanged;
  }

  /** Records rows of a DuckDB query over the table's columns (`SELECT … FROM …`) as `kind`. */
  async logQuery(kind: number, select: (columns: string[]) => string, values?: Record<string, DuckDBValue>): Promise<number> {
    const cols = await this.syncLogColumns();
    const list = cols.map(quoteIdent).join(", ");
    const r = await this.session.run(
      `INSERT INTO ${this.log} (${VERSION_COLUMN}, ${KIND_COLUMN}, ${list}) SELECT ${this.version}, ${kind}, * FROM (${select(cols)}) AS __lw_rows`,
      values,
    );
    return r.rowsChanged;
  }

  /** Records every row of the table as deleted (INSERT OVERWRITE, TRUNCATE, a replace). */
  logAllDeleted(): Promise<number> {
    return this.logQuery(CHANGE_KIND.delete, (cols) => `SELECT ${cols.map(quoteIdent).join(", ")} FROM ${this.target}`);
  }

  private logColumns: string[] | undefined;

  /** Makes the log carry every column the table has now (columns are added, never removed); returns the table's columns. */
  async syncLogColumns(): Promise<string[]> {
    if (this.logColumns) return this.logColumns;
    const r = await this.session.run(
      "SELECT table_name, column_name, data_type, column_default FROM duckdb_columns() WHERE database_name = $d AND ((schema_name = $s AND table_name = $t) OR (schema_name = $m AND table_name = $l)) ORDER BY column_index",
      { d: catalogDbName(this.ref.catalog), s: this.ref.schema, t: this.ref.table, m: META_SCHEMA, l: changeLogTable(this.ref) },
    );
    const rows = (await r.getRows()).map(([t, c, type, d]) => ({ table: String(t), column: String(c), type: String(type), default: d === null ? undefined : String(d) }));
    const tableCols = rows.filter((x) => x.table === this.ref.table);
    const logCols = new Map(rows.filter((x) => x.table !== this.ref.table).map((x) => [x.column, x.type]));
    if (logCols.size === 0) {
      await this.session.run(
        `CREATE TABLE ${this.log} AS SELECT NULL::BIGINT AS ${VERSION_COLUMN}, NULL::TINYINT AS ${KIND_COLUMN}, * FROM ${this.target} LIMIT 0`,
      );
    } else {
      for (const col of tableCols) {
        const had = logCols.get(col.column);
        if (had === undefined) await this.session.run(`ALTER TABLE ${this.log} ADD COLUMN ${quoteIdent(col.column)} ${col.type}`);
        else if (had !== col.type) throw new Error(`the change log of ${this.ref.table} has ${col.column} as ${had}, the table as ${col.type}`);
      }
    }
    this.logColumns = tableCols.map((x) => x.column);
    this.types = tableCols.map((x) => ({ name: x.column, type: x.type, default: x.default }));
    return this.logColumns;
  }

  private types: ColumnType[] = [];

  /** The table's columns with their DuckDB types and DEFAULT expressions, in order. */
  async columnTypes(): Promise<ColumnType[]> {
    await this.syncLogColumns();
    return this.types;
  }
}

const changeLogTable = (ref: TableRef): string => `changes:${ref.schema}.${ref.table}`;

/** The DuckDB name of a table's change log. */
export const changeLogName = (ref: TableRef): string =>
  `${quoteIdent(catalogDbName(ref.catalog))}.${quoteIdent(META_SCHEMA)}.${quoteIdent(changeLogTable(ref))}`;

/** The DuckDB name of a catalog's commit table. */
export const commitsTable = (catalog: string): string =>
  `${quoteIdent(catalogDbName(catalog))}.${quoteIdent(META_SCHEMA)}.delta_commits`;

/** Created once per warehouse and catalog: concurrent CREATEs of one table conflict in DuckDB. */
const ensured = new WeakMap<Warehouse, Map<string, Promise<void>>>();

export function ensureCommitsTable(session: Session, catalog: string): Promise<void> {
  let byCatalog = ensured.get(session.warehouse);
  if (!byCatalog) ensured.set(session.warehouse, (byCatalog = new Map()));
  let done = byCatalog.get(catalog);
  if (!done) {
    done = (async () => {
      await session.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(catalogDbName(catalog))}.${quoteIdent(META_SCHEMA)}`);
      await session.run(
        `CREATE TABLE IF NOT EXISTS ${commitsTable(catalog)} (schema_name VARCHAR, table_name VARCHAR, version BIGINT, commit_ts TIMESTAMPTZ, operation VARCHAR, operation_parameters VARCHAR, operation_metrics VARCHAR, read_version BIGINT, blind_append BOOLEAN, cdf BOOLEAN, columns VARCHAR, log_start BIGINT)`,
      );
    })();
    byCatalog.set(catalog, done);
    done.catch(() => byCatalog.delete(catalog));
  }
  return done;
}

/** One lock per table: the versions of a table are allocated one after another. */
const locks = new WeakMap<Warehouse, Map<string, Promise<unknown>>>();

async function withTableLock<T>(session: Session, ref: TableRef, work: () => Promise<T>): Promise<T> {
  // Inside a client's own transaction the lock could not be held until its COMMIT; DuckDB's conflict check applies instead.
  if (session.inTransaction) return work();
  let byTable = locks.get(session.warehouse);
  if (!byTable) locks.set(session.warehouse, (byTable = new Map()));
  const key = `${ref.catalog}\u0000${ref.schema}\u0000${ref.table}`;
  const previous = byTable.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  byTable.set(key, tail);
  void tail.then(() => {
    if (byTable.get(key) === tail) byTable.delete(key);
  });
  return run;
}

/** The newest version of a table and its timestamp (ms since the epoch); undefined before its first commit. */
export interface LatestVersion {
  version: number;
  timestampMs: number;
  /** The first version whose rows the change log holds (a replace with another schema starts a new log). */
  logStart: number;
}

export async function latestVersion(session: Session, ref: TableRef): Promise<LatestVersion | undefined> {
  await ensureCommitsTable(session, ref.catalog);
  const r = await session.run(
    `SELECT version, epoch_ms(commit_ts), log_start FROM ${commitsTable(ref.catalog)} WHERE schema_name = $s AND table_name = $t ORDER BY version DESC LIMIT 1`,
    { s: ref.schema, t: ref.table },
  );
  const row = (await r.getRows())[0];
  return row ? { version: Number(row[0]), timestampMs: Number(row[1]), logStart: Number(row[2]) } : undefined;
}

/** What a committing statement's work returns: its result, what its commit is, or `undefined` for "nothing committed". */
export interface Committed<T> {
  result: T;
  info?: CommitInfo;
  /** The table's properties after this commit, when the statement sets them (they decide whether the change feed is on). Default: read. */
  properties?: Record<string, string>;
}

/**
 * Runs a committing statement on a Delta table: in one transaction, `work` changes the table and logs
 * its rows through the Commit, then the version is recorded. `info` undefined means nothing changed
 * (a COPY INTO that loaded no file), and no version is written.
 */
export async function commitVersion<T>(
  scope: StatementScope,
  ref: TableRef,
  work: (commit: Commit) => Promise<Committed<T>>,
): Promise<T> {
  const session = scope.session;
  await ensureCommitsTable(session, ref.catalog);
  return withTableLock(session, ref, () =>
    session.atomically(async () => {
      const latest = await latestVersion(session, ref);
      const version = latest ? latest.version + 1 : 0;
      const commit = new Commit(scope, ref, version);
      const { result, info, properties } = await work(commit);
      if (!info) return result;
      const columns = await commit.syncLogColumns();
      const props = properties ?? (await session.warehouse.tableProperties(ref));
      const cdf = Object.entries(props).some(([k, v]) => k.toLowerCase() === "delta.enablechangedatafeed" && v.toLowerCase() === "true");
      // Delta's commit timestamps increase strictly with the version (in-commit timestamps are max(now, previous + 1 ms)).
      const ts = Math.max(Date.now(), latest ? latest.timestampMs + 1 : 0);
      const logStart = !latest || commit.restartedLog ? version : latest.logStart;
      await session.run(
        `INSERT INTO ${commitsTable(ref.catalog)} VALUES ($s, $t, $v, make_timestamptz($ts * 1000), $op, $params, $metrics, $read, $blind, $cdf, $cols, $logStart)`,
        {
          s: ref.schema,
          t: ref.table,
          v: version,
          ts: ts,
          op: info.operation,
          params: JSON.stringify(info.parameters),
          metrics: JSON.stringify(Object.fromEntries(Object.entries(info.metrics ?? {}).map(([k, x]) => [k, String(x)]))),
          read: latest ? latest.version : null,
          blind: info.blindAppend ?? false,
          cdf,
          cols: JSON.stringify(columns),
          logStart,
        },
      );
      return result;
    }),
  );
}

/** A dropped table's history goes with it: a table created again under the name is a new Delta table. */
export async function forgetVersions(session: Session, ref: TableRef): Promise<void> {
  await ensureCommitsTable(session, ref.catalog);
  await session.run(`DELETE FROM ${commitsTable(ref.catalog)} WHERE schema_name = $s AND table_name = $t`, { s: ref.schema, t: ref.table });
  await session.run(`DROP TABLE IF EXISTS ${changeLogName(ref)}`);
}

/** One row of a table's history, as stored. */
export interface VersionRow {
  version: number;
  timestampMs: number;
  cdf: boolean;
  columns: string[];
  logStart: number;
}

/** Every version of a table, oldest first; fails with TABLE_OR_VIEW_NOT_FOUND's caller check before. */
export async function listVersions(session: Session, ref: TableRef): Promise<VersionRow[]> {
  await ensureCommitsTable(session, ref.catalog);
  const r = await session.run(
    `SELECT version, epoch_ms(commit_ts), cdf, columns, log_start FROM ${commitsTable(ref.catalog)} WHERE schema_name = $s AND table_name = $t ORDER BY version`,
    { s: ref.schema, t: ref.table },
  );
  return (await r.getRows()).map(([v, ts, cdf, cols, start]) => ({
    version: Number(v),
    timestampMs: Number(ts),
    cdf: cdf === true,
    columns: JSON.parse(String(cols)) as string[],
    logStart: Number(start),
  }));
}

/** Delta's rendering of a timestamp in its messages: `yyyy-MM-dd HH:mm:ss.SSS` in the session zone (UTC). */
export const formatTimestamp = (ms: number): string => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

export const versionNotFound = (version: number | string, earliest: number, latest: number): SqlError =>
  new SqlError("DELTA_VERSION_NOT_FOUND", "22003", `Cannot time travel Delta table to version ${version}. Available versions: [${earliest}, ${latest}].`);

