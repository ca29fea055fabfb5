import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packagesDir = fileURLToPath(new URL("../../packages/", import.meta.url));
const alias = readdirSync(packagesDir).map((name) => ({
  find: new RegExp(`^@macrometa-spark/${name}$`),
  replacement: `${packagesDir}${name}/src/index.ts`,
}));

// Benchmarks run one file at a time so suites do not compete for the two cores.
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  resolve: { alias },
  test: {
    include: ["test/bench/**/*.bench.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: "forks",
  },
});
