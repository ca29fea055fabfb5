/**
 * @packageDocumentation
 * The driver's staging statements (`PUT '<local>' INTO '/Volumes/…' [OVERWRITE]`, `GET '/Volumes/…' TO
 * '<local>'`, `REMOVE '/Volumes/…'`) and `LIST '/Volumes/…'`. A staging statement answers with one row
 * (operation, presignedUrl, headers, localFile — REMOVE without localFile) and
 * `isStagingOperation = true`; the driver then moves the bytes itself, over HTTP, to the presigned
 * URL, which this warehouse serves (src/volumes/files-api.ts). The facts sheet §3 has the row shape.
 */
import { Cursor } from "../sql/cursor.js";
import { unsupported } from "../errors.js";
import type { StatementScope } from "../sql/scope.js";
import { isWord, type Token } from "../sql/tokenizer.js";
import { BIGINT, STRING, type SparkType } from "../sql/types.js";
import { StaticResult, type Cell, type ResultColumn, type ResultSource } from "../wire/results.js";
import { formatVolumePath, parseVolumePath } from "./paths.js";
import { STAGING_PREFIX } from "./staging-tickets.js";
import { pathNotFound } from "./store.js";

/**
 * `headers` is a MAP so the driver decodes it into the object its fetch call needs (§3, checked [V]);
 * its cell is the (empty) list of entries, which the Arrow and the column encoders each render their way.
 */
const HEADERS_TYPE: SparkType = { kind: "map", key: STRING, value: STRING };

/** A staging answer: the service reports it with `isStagingOperation`. */
class StagingResult extends StaticResult {
  readonly staging = true;
}

export async function executeStaging(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  const store = scope.session.warehouse.volumes;
  const ticketUrl = (method: "PUT" | "GET" | "DELETE", raw: string, overwrite = false) => {
    const path = parseVolumePath(raw);
    store.localPath(path); // the volume must exist
    return { path, url: `${store.baseUrl}${STAGING_PREFIX}${store.tickets.issue({ method, path, overwrite })}` };
  };
  const columns = (withLocal: boolean): ResultColumn[] => [
    { name: "operation", type: STRING },
    { name: "presignedUrl", type: STRING },
    { name: "headers", type: HEADERS_TYPE },
    ...(withLocal ? [{ name: "localFile", type: STRING }] : []),
  ];
  if (c.acceptWords("PUT")) {
    const local = c.stringLiteral();
    c.expectWords("INTO");
    const target = c.stringLiteral();
    const overwrite = c.acceptWords("OVERWRITE");
    c.expectEnd();
    // Without OVERWRITE an existing file is refused when the bytes arrive (HTTP 409), not before: the check would race.
    const { url } = ticketUrl("PUT", target, overwrite);
    return new StagingResult(columns(true), [["PUT", url, [], local]]);
  }
  if (c.acceptWords("GET")) {
    const source = c.stringLiteral();
    c.expectWords("TO");
    const local = c.stringLiteral();
    c.expectEnd();
    const { path, url } = ticketUrl("GET", source);
    const e = await store.entry(path);
    if (!e || e.isDirectory) throw pathNotFound(path);
    return new StagingResult(columns(true), [["GET", url, [], local]]);
  }
  if (c.acceptWords("REMOVE")) {
    const target = c.stringLiteral();
    c.expectEnd();
    const { url } = ticketUrl("DELETE", target);
    return new StagingResult(columns(false), [["REMOVE", url, []]]);
  }
  c.expectWords("LIST");
  return list(scope, c);
}

/** `LIST '<path>' [LIMIT n]`: the entries directly under a directory (or the file itself), sorted by name. */
async function list(scope: StatementScope, c: Cursor): Promise<ResultSource> {
  const raw = c.stringLiteral();
  if (isWord(c.peek(), "WITH")) throw unsupported("LIST … WITH (CREDENTIAL …)");
  let limit = Number.POSITIVE_INFINITY;
  if (c.acceptWords("LIMIT")) limit = Number(c.next().value);
  c.expectEnd();
  const store = scope.session.warehouse.volumes;
  const path = parseVolumePath(raw);
  const entry = await store.entry(path);
  if (!entry) throw pathNotFound(path);
  const entries = entry.isDirectory ? ((await store.children(path)) ?? []) : [entry];
  const rows = entries.slice(0, limit).map((e): Cell[] => {
    // Directories end in `/`, as object-store listings show them (UNCONFIRMED for volumes).
    const slash = e.isDirectory ? "/" : "";
    return [formatVolumePath(e.path) + slash, e.name + slash, BigInt(e.isDirectory ? 0 : e.size), BigInt(e.modifiedMs)];
  });
  return new StaticResult(
    [
      { name: "path", type: STRING },
      { name: "name", type: STRING },
      { name: "size", type: BIGINT },
      { name: "modification_time", type: BIGINT },
    ],
    rows,
  );
}
