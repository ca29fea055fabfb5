import { describe, expect, it } from "vitest";
import { useWarehouseSession } from "./client.js";

describe("round trip through the real driver", () => {
  // Each test opens its own session.
  const ws = useWarehouseSession({ session: false });

  it("answers SELECT 1", async () => {
    const session = await ws.client.openSession();
    const op = await session.executeStatement("SELECT 1 AS one, 'x' AS s");
    expect(await op.fetchAll()).toEqual([{ one: 1, s: "x" }]);
    await op.close();
    await session.close();
  });
});
