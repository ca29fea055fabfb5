/**
 * @packageDocumentation
 * The volume statements: `CREATE VOLUME [IF NOT EXISTS] name [COMMENT '…']`, `DROP VOLUME [IF EXISTS]
 * name` and `SHOW VOLUMES [{FROM | IN} schema] [[LIKE] 'pattern']`. Names resolve like table names,
 * against the session's catalog and schema.
 */
import type { Cursor } from "../sql/cursor.js";
import { sqlError, syntaxError, unsupported } from "../errors.js";
import { NO_RESULT, StaticResult, type Cell, type ResultSource } from "../wire/results.js";
import type { StatementScope } from "../sql/scope.js";
import { isWord } from "../sql/tokenizer.js";
import { STRING } from "../sql/types.js";
import { likeClause, likeMatcher } from "../sql/describe.js";
import type { VolumeRef } from "./paths.js";

const schemaNotFound = (catalog: string, schema: string) =>
  sqlError("SCHEMA_NOT_FOUND", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);

function volumeRef(scope: StatementScope, c: Cursor): VolumeRef {
  const t = scope.tableRef(c.qualifiedName());
  return { catalog: t.catalog, schema: t.schema, volume: t.table };
}

/** After `CREATE [OR REPLACE]`, at `[EXTERNAL] VOLUME`. */
export async function createVolume(scope: StatementScope, c: Cursor, orReplace: boolean): Promise<ResultSource> {
  if (c.acceptWords("EXTERNAL")) throw unsupported("CREATE EXTERNAL VOLUME (only managed volumes)");
  c.expectWords("VOLUME");
  if (orReplace) throw syntaxError("CREATE OR REPLACE VOLUME is not valid; drop the volume first");
  const ifNotExists = c.acceptWords("IF", "NOT", "EXISTS");
  const ref = volumeRef(scope, c);
  let comment: string | null = null;
  while (!c.done) {
    if (c.acceptWords("COMMENT")) comment = c.stringLiteral();
    else if (isWord(c.peek(), "LOCATION")) throw unsupported("CREATE VOLUME … LOCATION (external volumes)");
    else throw c.unexpected("COMMENT or end of statement");
  }
  if (!(await scope.schemaExists(ref.catalog, ref.schema))) throw schemaNotFound(ref.catalog, ref.schema);
  await scope.session.warehouse.volumes.create(ref, comment, ifNotExists);
  return NO_RESULT;
}

/** After `DROP`, at `VOLUME`. */
export async function dropVolume(scope: StatementScope, c: Cursor): Promise<ResultSource> {
  c.expectWords("VOLUME");
  const ifExists = c.acceptWords("IF", "EXISTS");
  const ref = volumeRef(scope, c);
  c.expectEnd();
  await scope.session.warehouse.volumes.drop(ref, ifExists);
  return NO_RESULT;
}

/** After `SHOW`, at `VOLUMES`. Columns `database`, `volumeName` (sql-ref-syntax-aux-show-volumes). */
export async function showVolumes(scope: StatementScope, c: Cursor): Promise<ResultSource> {
  c.expectWords("VOLUMES");
  const session = scope.session;
  let catalog = session.catalog;
  let schema = session.schema;
  if (c.acceptWords("IN") || c.acceptWords("FROM")) {
    const parts = c.qualifiedName();
    if (parts.length > 2) throw syntaxError("a schema name has at most two parts");
    if (parts.length === 2) catalog = parts[0]!.toLowerCase();
    schema = parts[parts.length - 1]!.toLowerCase();
  }
  scope.requireCatalog(catalog);
  if (!(await scope.schemaExists(catalog, schema))) throw schemaNotFound(catalog, schema);
  const matches = likeMatcher(likeClause(c));
  c.expectEnd();
  const rows = session.warehouse.volumes
    .list(catalog, schema)
    .filter((v) => matches(v.volume))
    .map((v): Cell[] => [v.schema, v.volume]);
  return new StaticResult(
    [
      { name: "database", type: STRING },
      { name: "volumeName", type: STRING },
    ],
    rows,
  );
}
