/**
 * Test helper: a sink provider wrapping another whose streaming commit runs `hook(epochId)` right
 * after the wrapped sink committed the epoch, i.e. in the crash window before the engine writes
 * commits/N (the hook may throw or kill the process).
 */
import type { TableProvider } from "../src/index.js";

export function withCommitHook(inner: TableProvider, format: string, hook: (epochId: number) => void | Promise<void>): TableProvider {
  return {
    formats: [format],
    inferSchema: (options, ctx) => inner.inferSchema(options, ctx),
    getTable: async (schema, options, ctx) => {
      const t = await inner.getTable(schema, options, ctx);
      return {
        name: t.name,
        get schema() {
          return t.schema;
        },
        capabilities: t.capabilities,
        newWriteBuilder: (info) => ({
          buildForStreaming: async () => {
            const w = await t.newWriteBuilder!(info).buildForStreaming!();
            return {
              createWriter: (p, e) => w.createWriter(p, e),
              abort: (e, m) => w.abort(e, m),
              commit: async (epochId, messages) => {
                await w.commit(epochId, messages);
                await hook(epochId);
              },
            };
          },
        }),
      };
    },
  };
}
