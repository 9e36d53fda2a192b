import { Client } from 'pg';

/**
 * Read-model columns whose type changed between versions. TypeORM's synchronize changes a column's
 * type by dropping and re-adding it, which fails on a filled table (the column is NOT NULL), so
 * these are converted in place before it runs. Idempotent: a column already of the new type, or a
 * table not created yet, is left alone.
 */
const CHANGED_COLUMNS: ReadonlyArray<{ table: string; column: string; from: string; to: string }> = [
  { table: 'person_view', column: 'state', from: 'jsonb', to: 'json' },
  { table: 'agency_settlement_view', column: 'periods', from: 'jsonb', to: 'json' },
];

export async function alignReadModelColumns(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const c of CHANGED_COLUMNS) {
      const { rows } = await client.query<{ data_type: string }>(
        'SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2',
        [c.table, c.column],
      );
      if (rows[0]?.data_type !== c.from) continue;
      await client.query(`ALTER TABLE "${c.table}" ALTER COLUMN "${c.column}" TYPE ${c.to} USING "${c.column}"::${c.to}`);
    }
  } finally {
    await client.end();
  }
}
