import postgres from "postgres";
import { PostgresStorage } from "../../../lib/keystore/postgres.ts";
import {
  POSTGRES,
  type PostgresCluster,
  startPostgres,
} from "../../_helpers/postgres.ts";
import { keystoreSuite } from "./_suite.ts";

// One cluster for the file (initdb and a start cost seconds each), and each
// test its own database in it: nothing one leaves behind reaches another.
let cluster: Promise<PostgresCluster> | undefined;
let databases = 0;

async function freshDatabase(): Promise<string> {
  cluster ??= startPostgres();
  const { url } = await cluster;
  const name = `keystore_${++databases}`;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await sql.end();
  }
  const named = new URL(url);
  named.pathname = `/${name}`;
  return named.href;
}

keystoreSuite("postgres", async () => {
  const url = await freshDatabase();
  return {
    connect: () => new PostgresStorage(url),
    dispose: () => Promise.resolve(),
  };
}, POSTGRES.ignore);

// Registered last, so it runs after the suite: the cluster goes.
Deno.test({
  name: "postgres: the file's cluster stops",
  ignore: POSTGRES.ignore,
  async fn() {
    await (await cluster)?.stop();
  },
});
