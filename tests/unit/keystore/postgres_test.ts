import { PostgresStorage } from "../../../lib/keystore/postgres.ts";
import { POSTGRES, startPostgres } from "../../_helpers/postgres.ts";
import { keystoreSuite } from "./_suite.ts";

// Each test its own cluster: nothing one leaves behind reaches another.
keystoreSuite("postgres", async () => {
  const cluster = await startPostgres();
  return {
    connect: () => new PostgresStorage(cluster.url),
    dispose: () => cluster.stop(),
  };
}, POSTGRES.ignore);
