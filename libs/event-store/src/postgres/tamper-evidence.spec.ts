import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { globalLinkHash, streamLinkHash } from '../integrity/chain';
import { verifyStore } from '../integrity/verify';
import { PostgresEventStore } from './postgres-event-store';

/**
 * Someone with database superuser rights goes around the application (triggers off) and edits,
 * deletes or swaps stored events. The verifier must name the exact position each time.
 */
describe('tamper evidence on the PostgreSQL store', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  beforeEach(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: db.url });
    await store.migrate();
    for (let i = 0; i < 12; i++) {
      await store.appendToStream(`person-${i % 3}`, [
        {
          eventId: randomUUID(),
          type: 'ContributionRecorded',
          data: { amountFen: 38000 + i, note: '缴费', nested: { b: 1, a: [1, 'x'] } },
          metadata: { correlationId: 'c', causationId: 'c', actor: 't' },
        },
      ]);
    }
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // Superuser only: bypass the append-only triggers, as an attacker with database access would.
    await sql.query("SET session_replication_role = 'replica'");
  });
  afterEach(async () => {
    await sql.end();
    await store.close();
    await db.drop();
  });

  it('verifies an untouched store and reports its head hash', async () => {
    const report = await verifyStore(store, { pageSize: 5 });
    expect(report).toMatchObject({ ok: true, verified: 12, headPosition: 12 });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
    const [last] = await store.readAll({ direction: 'backwards', maxCount: 1 });
    expect(last.integrity?.globalHash).toBe(report.headHash);
  });

  it('catches a changed amount at its position', async () => {
    await sql.query(`UPDATE ledger_events SET data = jsonb_set(data, '{amountFen}', '1') WHERE position = 7`);
    expect(await verifyStore(store)).toMatchObject({ ok: false, verified: 6, firstBreak: { kind: 'changed', position: 7 } });
  });

  it('catches changed metadata (who did it) at its position', async () => {
    await sql.query(`UPDATE ledger_events SET metadata = jsonb_set(metadata, '{actor}', '"someone-else"') WHERE position = 3`);
    expect((await verifyStore(store)).firstBreak).toMatchObject({ kind: 'changed', position: 3 });
  });

  it('catches a deleted event at the first missing position', async () => {
    await sql.query('DELETE FROM ledger_events WHERE position = 5');
    expect((await verifyStore(store)).firstBreak).toMatchObject({
      kind: 'missing',
      position: 6,
      detail: expect.stringContaining('positions 5..5 are missing'),
    });
  });

  it('catches the newest event deleted through the head published before', async () => {
    const published = await verifyStore(store);
    await sql.query('DELETE FROM ledger_events WHERE position = 12');
    const after = await verifyStore(store, { anchors: [{ position: published.headPosition, hash: published.headHash }] });
    expect(after).toMatchObject({ ok: false, firstBreak: { kind: 'missing', position: 12 } });
  });

  it('catches two events of different streams swapped in the global order', async () => {
    // Positions 4 (person-0) and 5 (person-1) trade places, hashes and all.
    await sql.query('UPDATE ledger_events SET position = -4 WHERE position = 4');
    await sql.query('UPDATE ledger_events SET position = 4 WHERE position = 5');
    await sql.query('UPDATE ledger_events SET position = 5 WHERE position = -4');
    expect((await verifyStore(store)).firstBreak).toMatchObject({ kind: 'reordered', position: 4 });
  });

  it('catches two events of one stream swapped', async () => {
    // person-0 has positions 1, 4, 7, 10: swap the contents of revisions 1 and 2.
    await sql.query(`UPDATE ledger_events SET revision = -1 WHERE position = 4`);
    await sql.query(`UPDATE ledger_events SET revision = 1 WHERE position = 7`);
    await sql.query(`UPDATE ledger_events SET revision = 2 WHERE position = -1 OR (position = 4)`);
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.firstBreak?.position).toBe(4);
  });

  it('catches a forgery re-hashed by the forger through the head published before', async () => {
    const published = await verifyStore(store);
    // The forger changes the newest event and recomputes its links with the public formula.
    const [victim] = await store.readAll({ fromPosition: 11 });
    const [previous] = await store.readAll({ fromPosition: 10 });
    const [streamPrevious] = await store.readStream(victim.streamName, { fromRevision: victim.revision - 1, maxCount: 1 });
    const forged = { ...victim, data: { ...(victim.data as object), amountFen: 1 } };
    const streamHash = streamLinkHash(streamPrevious.integrity!.streamHash, forged);
    const globalHash = globalLinkHash(previous.integrity!.globalHash, streamHash);
    await sql.query(`UPDATE ledger_events SET data = $1, stream_hash = $2, global_hash = $3 WHERE position = 12`, [
      JSON.stringify(forged.data),
      streamHash,
      globalHash,
    ]);
    expect((await verifyStore(store)).ok).toBe(true);
    const held = await verifyStore(store, { anchors: [{ position: published.headPosition, hash: published.headHash }] });
    expect(held).toMatchObject({ ok: false, firstBreak: { kind: 'changed', position: 12 } });
  });
});
