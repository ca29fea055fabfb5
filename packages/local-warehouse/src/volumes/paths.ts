/**
 * @packageDocumentation
 * Unity Catalog volume paths: `/Volumes/<catalog>/<schema>/<volume>/<path…>` (also `dbfs:/Volumes/…`).
 * Catalog, schema and volume names are lower-cased as Unity Catalog stores them; the path inside the
 * volume keeps its case. `.` and `..` segments are refused, so a path can never leave its volume.
 */
import { sqlError, SqlError, unsupported } from "../errors.js";

/** A volume, fully named. */
export interface VolumeRef {
  catalog: string;
  schema: string;
  volume: string;
}

/** A location inside a volume: the volume and the path segments below its root (none for the root). */
export interface VolumePath extends VolumeRef {
  segments: string[];
}

export const volumeKey = (v: VolumeRef): string => `${v.catalog}.${v.schema}.${v.volume}`;

/** The canonical spelling, `/Volumes/c/s/v/a/b`. */
export function formatVolumePath(p: VolumePath): string {
  return ["", "Volumes", p.catalog, p.schema, p.volume, ...p.segments].join("/");
}

/** The error a path outside any volume (or with `..`) gets; Databricks reports a bad location as an invalid parameter. */
export const invalidVolumePath = (raw: string, why: string): SqlError =>
  sqlError("INVALID_PARAMETER_VALUE", `The path '${raw}' is not a valid Unity Catalog volume path: ${why}.`);

/** Parses `/Volumes/c/s/v[/path]` or `dbfs:/Volumes/…`; empty segments (`//`, a trailing `/`) are ignored. */
export function parseVolumePath(raw: string): VolumePath {
  let rest = raw;
  if (/^dbfs:/i.test(rest)) rest = rest.slice(5);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw unsupported(`Reading cloud storage directly ('${raw.split("://")[0]}://…'; only /Volumes paths)`);
  if (!rest.startsWith("/")) throw invalidVolumePath(raw, "expected /Volumes/<catalog>/<schema>/<volume>/<path>");
  const parts = rest.split("/").filter((s) => s.length > 0);
  if (parts[0] !== "Volumes") throw invalidVolumePath(raw, "only paths under /Volumes are served by this warehouse");
  if (parts.length < 4) throw invalidVolumePath(raw, "it names no volume (/Volumes/<catalog>/<schema>/<volume>)");
  for (const s of parts) {
    if (s === "." || s === "..") throw invalidVolumePath(raw, "'.' and '..' segments are not allowed");
    if (s.includes("\0") || s.includes("\\")) throw invalidVolumePath(raw, "it contains a NUL or backslash character");
  }
  return {
    catalog: parts[1]!.toLowerCase(),
    schema: parts[2]!.toLowerCase(),
    volume: parts[3]!.toLowerCase(),
    segments: parts.slice(4),
  };
}

/** Joins a path relative to a volume directory (FILES entries, PATTERN matches) onto it; `..` is refused. */
export function childPath(dir: VolumePath, relative: string): VolumePath {
  const segments = relative.split("/").filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => s === "." || s === ".."))
    throw invalidVolumePath(relative, "a file name relative to the source directory must not be empty or contain '.' or '..'");
  return { ...dir, segments: [...dir.segments, ...segments] };
}
