/**
 * Where the `volume` write method stages its files: the `stagingVolume` option (`/Volumes/c/s/v`,
 * `/Volumes/c/s/v/sub/dir` or `c.s.v`) and the deterministic layout below it,
 * `<volume>/<query>/<epoch or run>/part-<partition>-<n>.parquet`, so a replayed epoch rewrites the
 * very paths it wrote before (which is what lets COPY INTO recognise files it already loaded).
 * @packageDocumentation
 */
import { OptionError } from "@macrometa-spark/core";
import { splitMultipartName, validateObjectName } from "../identifiers.js";

export interface StagingVolume {
  catalog: string;
  schema: string;
  volume: string;
  /** `/Volumes/<catalog>/<schema>/<volume>[/<sub>]`, lower-cased names, no trailing slash. */
  root: string;
}

/** A path segment we create ourselves: letters, digits, `_`, `-`, `.` — nothing a glob or SQL literal treats specially. */
const SAFE_SEGMENT = /^[A-Za-z0-9_.-]+$/;

export function parseStagingVolume(text: string): StagingVolume {
  const t = text.trim();
  let parts: string[];
  let sub: string[] = [];
  if (t.startsWith("/") || /^dbfs:\//i.test(t)) {
    const segs = t.replace(/^dbfs:/i, "").split("/").filter((s) => s !== "");
    if (segs[0] !== "Volumes" || segs.length < 4) throw new OptionError("stagingVolume", `expected /Volumes/<catalog>/<schema>/<volume>[/<dir>] or <catalog>.<schema>.<volume>, got ${JSON.stringify(text)}`);
    parts = segs.slice(1, 4);
    sub = segs.slice(4);
    for (const s of sub) {
      if (s === "." || s === ".." || !SAFE_SEGMENT.test(s)) throw new OptionError("stagingVolume", `directory ${JSON.stringify(s)} may contain only letters, digits, '_', '-' and '.'`);
    }
  } else {
    parts = splitMultipartName(t, "stagingVolume");
    if (parts.length !== 3) throw new OptionError("stagingVolume", `expected <catalog>.<schema>.<volume> (three parts), got ${JSON.stringify(text)}`);
  }
  // Unity Catalog stores names in lower case; paths name them that way.
  const [catalog, schema, volume] = parts.map((p) => validateObjectName(p, "stagingVolume").toLowerCase()) as [string, string, string];
  for (const p of [catalog, schema, volume]) {
    if (!SAFE_SEGMENT.test(p)) throw new OptionError("stagingVolume", `name ${JSON.stringify(p)} must be a plain identifier to be used in a path`);
  }
  return { catalog, schema, volume, root: ["", "Volumes", catalog, schema, volume, ...sub].join("/") };
}

/** A folder name from an id we do not control (a query id): anything unsafe becomes `_`. */
export function pathSegment(id: string): string {
  const s = id.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "_");
  return s === "" ? "_" : s;
}

/** The folder of one query's staged files. */
export function queryFolder(v: StagingVolume, queryId: string): string {
  return `${v.root}/${pathSegment(queryId)}`;
}

/** The folder of one epoch (streaming) or run (batch) of a query. */
export function epochFolder(v: StagingVolume, queryId: string, epochOrRun: number | string): string {
  return `${queryFolder(v, queryId)}/${typeof epochOrRun === "number" ? String(epochOrRun) : pathSegment(epochOrRun)}`;
}

/** File name of the n-th file of a partition. */
export function partFileName(partitionId: number, n: number): string {
  return `part-${partitionId}-${n}.parquet`;
}
