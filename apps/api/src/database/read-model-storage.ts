import type { DataSource } from 'typeorm';

/**
 * Storage parameters of read-model tables that TypeORM's entities cannot express, set after synchronize.
 *
 * fillfactor: person_view and agency_settlement_view rows are rewritten for nearly every payment. On full pages each
 * new row version goes to another page, and every index of the table takes a new entry for it; with room left on
 * the page it stays there as a heap-only tuple and no index is touched (bench:ingest: person_view's upsert took
 * 3.0 ms a statement instead of 4.9, and wrote a third of the WAL). The rebuilder copies these to the tables it builds.
 */
export const READ_MODEL_STORAGE: ReadonlyArray<{ table: string; parameters: string }> = [
  { table: 'person_view', parameters: 'fillfactor = 70' },
  { table: 'agency_settlement_view', parameters: 'fillfactor = 70' },
];

/** Idempotent, and cheap: ALTER TABLE … SET only changes the catalog; pages written from now on leave the room. */
export async function applyReadModelStorage(dataSource: DataSource): Promise<void> {
  for (const { table, parameters } of READ_MODEL_STORAGE) {
    if (await tableExists(dataSource, table)) await dataSource.query(`ALTER TABLE "${table}" SET (${parameters})`);
  }
}

async function tableExists(dataSource: DataSource, table: string): Promise<boolean> {
  const [row] = await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS present', [`public."${table}"`]);
  return row.present === true;
}
