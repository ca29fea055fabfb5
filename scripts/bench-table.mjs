// Rewrites the README's benchmark table from .bench-results/*.json (written by `npm run bench`).
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";

const dir = ".bench-results";
if (!existsSync(dir)) throw new Error("no .bench-results: run the benchmarks first");
const suites = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")));
const fmt = (n) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString("en-US") : String(n));
const lines = ["| suite | metric | value | baseline (same run) | ratio | note |", "|---|---|---|---|---|---|"];
// Ratios recorded before report.ts kept small ones: recompute from the two values rather than print 0.
const shown = (r) => (r.baseline && r.ratio !== undefined && r.ratio < 0.1 && !r.note?.includes("lower-is-better") ? Number((r.value / r.baseline.value).toPrecision(2)) : r.ratio);
for (const s of suites) for (const r of s.rows) {
  lines.push(`| ${s.suite} | ${r.metric} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : ""} | ${shown(r) ?? ""} | ${r.note ?? ""} |`);
}
const start = "<!-- bench:start -->", end = "<!-- bench:end -->";
const readme = readFileSync("README.md", "utf8");
const block = `${start}\n${lines.join("\n")}\n\nMeasured on this project's CI machine kind (2 cores) by \`npm run bench\`.\n${end}`;
const next = readme.includes(start) ? readme.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block) : `${readme}\n## Benchmarks\n\n${block}\n`;
writeFileSync("README.md", next);
console.log(lines.join("\n"));
