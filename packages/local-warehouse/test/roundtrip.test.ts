import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DBSQLClient } from "@databricks/sql";
import { startLocalWarehouse, type LocalWarehouse } from "../src/index.js";
import { connectClient } from "./client.js";

describe("round trip through the real driver", () => {
  let warehouse: LocalWarehouse;
  let client: DBSQLClient;

  beforeAll(async () => {
    warehouse = await startLocalWarehouse({ port: 0 });
    client = await connectClient(warehouse);
  });

  afterAll(async () => {
    await client?.close();
    await warehouse?.close();
  });

  it("answers SELECT 1", async () => {
    const session = await client.openSession();
    const op = await session.executeStatement("SELECT 1 AS one, 'x' AS s");
    expect(await op.fetchAll()).toEqual([{ one: 1, s: "x" }]);
    await op.close();
    await session.close();
  });
});
