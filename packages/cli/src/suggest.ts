/**
 * "Did you mean …?" for verbs, flags and option names: the closest known name by edit distance
 * (case-insensitive), plus the Spark/Delta names users bring along that are spelled differently here.
 * @packageDocumentation
 */

/** Spark/Delta writer options and what to use instead with this runtime. */
const SPARK_NAMES: Readonly<Record<string, string>> = {
  mergeschema: "schemaEvolution (Delta's mergeSchema: add the data's new columns to the table)",
  overwriteschema: "mode overwrite with schemaEvolution (the sink never retypes or drops a column; write to a new table to change types)",
  replacewhere: "mergeKeys (MERGE by key) or mode overwrite; the sink has no partial overwrite by predicate",
};

/** Edit distance counting a swap of two neighbours as one edit (the commonest typo: "rnu"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a third of the word's length (at least 1, at most 3 edits). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** " (did you mean X?)" or "" — for an unknown option, a Spark name's equivalent comes first. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const spark = SPARK_NAMES[word.toLowerCase()];
  if (spark) return ` (with this runtime use ${spark})`;
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : "";
}
