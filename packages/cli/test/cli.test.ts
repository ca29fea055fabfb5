/**
 * The dispatcher with every verb registered (as bin.ts does): top-level help lists them, every verb
 * answers --help with its usage and exit 0, an unknown verb is a usage error (exit 2).
 */
import { expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import { capture } from "./support/capture.js";


const VERBS = ["run", "infer", "local", "demo", "submit", "jobs", "sql"];

it("lists every verb and gives each a --help", async () => {
  const top = capture();
  expect(await main(["--help"], top.io, new AbortController().signal)).toBe(0);
  for (const v of VERBS) expect(top.out()).toMatch(new RegExp(`^  ${v}\\s+\\S`, "m"));
  for (const v of VERBS) {
    const c = capture();
    expect(await main([v, "--help"], c.io, new AbortController().signal)).toBe(0);
    expect(c.out()).toContain(`Usage: mmspark ${v}`);
  }
  const bad = capture();
  expect(await main(["frobnicate"], bad.io, new AbortController().signal)).toBe(2);
  expect(bad.err()).toContain("unknown verb 'frobnicate'");
  expect(await main(["demo", "--bogus"], capture().io, new AbortController().signal)).toBe(2);
});
