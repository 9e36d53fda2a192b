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

/**
 * Read-model rows whose content changed shape between versions, rewritten in place at start-up to
 * exactly the text the current projection writes, so that an auditor's rebuild still compares equal
 * with the live tables. Idempotent: once rewritten, a row no longer matches.
 */
const RESHAPED_ROWS: ReadonlyArray<{ table: string; sql: string }> = [
  {
    // The settlement view used to keep every period; it now keeps only those with a refund due or arrears.
    // Elements keep their stored text and are joined with ',' as JSON.stringify joins them.
    table: 'agency_settlement_view',
    sql: `UPDATE agency_settlement_view v
             SET periods = ('[' || coalesce((SELECT string_agg(e.p::text, ',' ORDER BY e.ord)
                                               FROM json_array_elements(v.periods) WITH ORDINALITY AS e(p, ord)
                                              WHERE json_array_length(e.p->'refunds') > 0 OR (e.p->>'arrearsFen')::numeric > 0), '') || ']')::json
           WHERE v.periods::text ~ '"refunds":\\s*\\[\\]'
             AND EXISTS (SELECT 1 FROM json_array_elements(v.periods) AS e(p)
                          WHERE json_array_length(e.p->'refunds') = 0 AND (e.p->>'arrearsFen')::numeric = 0)`,
  },
  {
    // Contributions used to sit inside person_view's state; they are rows of person_contribution now. A database
    // without that table was written by the earlier version: its contributions move out with their stored texts, and
    // the state keeps the text of every other member in its order (json_each keeps both), as JSON.stringify writes it.
    table: 'person_view',
    sql: `DO $$ BEGIN
            IF to_regclass('person_contribution') IS NULL THEN
              CREATE TABLE person_contribution ("personId" uuid NOT NULL, period text NOT NULL, "contributionId" text NOT NULL, data json NOT NULL,
                                                CONSTRAINT person_contribution_pkey PRIMARY KEY ("personId", period, "contributionId"));
              -- period as contributionPeriodKey writes it
              INSERT INTO person_contribution ("personId", "contributionId", period, data)
              SELECT v."personId", c.key,
                     concat_ws('|', c.value->>'scheme', CASE WHEN c.value->>'scheme' = 'resident' THEN c.value->>'coverageYear' ELSE c.value->>'coverageMonth' END,
                               c.value->>'regionCode'),
                     c.value
                FROM person_view v CROSS JOIN LATERAL json_each(v.state->'contributions') AS c;
              UPDATE person_view v
                 SET state = (SELECT ('{' || string_agg(to_json(e.key)::text || ':' || e.value::text, ',' ORDER BY e.ord) || '}')::json
                                FROM json_each(v.state) WITH ORDINALITY AS e(key, value, ord) WHERE e.key <> 'contributions')
               WHERE v.state->'contributions' IS NOT NULL;
            END IF;
          END $$`,
  },
];

/**
 * Brings read models written by an earlier version up to this one, before TypeORM's synchronize runs:
 * column types first, then row contents. One connection for both; a table not created yet is skipped.
 */
export async function upgradeReadModels(databaseUrl: string): Promise<void> {
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
    for (const r of RESHAPED_ROWS) {
      const { rows } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [r.table]);
      if (rows[0]?.present) await client.query(r.sql);
    }
  } finally {
    await client.end();
  }
}
