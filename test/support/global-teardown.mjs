export default async function globalTeardown() {
  const pg = globalThis.__LEDGER_TEST_PG__;
  if (pg) await pg.stop();
}
