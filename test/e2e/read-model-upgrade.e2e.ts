import { randomUUID } from 'node:crypto';
import { contributionPeriodKey, evolvePersonMany, initialPersonState, makeResidentId } from '@ledger/domain';
import { ev } from '@ledger/domain/testing/person-fixtures';
import { Client } from 'pg';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { stateOfRow, storedState, STATE_COLUMNS } from '../../apps/api/src/persons/person-state-rows';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('starting on read models written by an earlier version', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const start = async () => {
    const app = await createApp({ config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: db.url }), databaseUrl: db.url, startProjections: false });
    await app.init();
    return app;
  };
  /** A started-once database (tables created) and a connection to it, for arranging what an earlier version left. */
  const withSql = async (use: (sql: Client) => Promise<void>) => {
    await (await start()).close();
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    try {
      await use(sql);
    } finally {
      await sql.end();
    }
  };
  const columnType = async (sql: Client, table: string, column: string) =>
    (await sql.query('SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = $2', [table, column])).rows[0]?.data_type;

  it('converts snapshot columns from jsonb to json in place, keeping the rows, where synchronize would drop them', async () => {
    await withSql(async (sql) => {
      // What the previous version left: jsonb columns holding rows.
      const personId = randomUUID();
      await sql.query('ALTER TABLE person_view ALTER COLUMN state TYPE jsonb USING state::jsonb');
      await sql.query('ALTER TABLE agency_settlement_view ALTER COLUMN periods TYPE jsonb USING periods::jsonb');
      await sql.query(
        `INSERT INTO person_view ("personId", "idNumber", name, "birthDate", state, revision, position) VALUES ($1, $2, 'Old Row', '1990-01-01', $3, 0, 1)`,
        [personId, makeResidentId('410327', '1990-01-01', 901), JSON.stringify({ personId, kept: true })],
      );
      await sql.query(`INSERT INTO agency_settlement_view ("personId", periods, "refundFen", "arrearsFen") VALUES ($1, '[{"period": "2025"}]', 0, 0)`, [
        personId,
      ]);

      await (await start()).close();

      expect(await columnType(sql, 'person_view', 'state')).toBe('json');
      expect(await columnType(sql, 'agency_settlement_view', 'periods')).toBe('json');
      const { rows } = await sql.query('SELECT state FROM person_view WHERE "personId" = $1', [personId]);
      expect(rows[0].state).toEqual({ personId, kept: true });
      const settled = await sql.query('SELECT periods FROM agency_settlement_view WHERE "personId" = $1', [personId]);
      expect(settled.rows[0].periods).toEqual([{ period: '2025' }]);
    });
  });

  it('rewrites settlement rows that still hold settled periods to the periods with a refund or arrears, in the text the projection writes', async () => {
    await withSql(async (sql) => {
      const period = (p: string, arrearsFen: number, refunds: unknown[]) => ({
        scheme: 'resident',
        regionCode: '410327',
        period: p,
        dueFen: 38000,
        paidFen: 38000 - arrearsFen,
        arrearsFen,
        refunds,
      });
      const refund = {
        contributionId: randomUUID(),
        agencyId: null,
        reference: null,
        amountFen: 5000,
        refundFen: 5000,
        paidAt: '2024-10-01T10:00:00+08:00',
        reason: 'overpaid',
      };
      const [mixed, settled, attentionOnly] = [randomUUID(), randomUUID(), randomUUID()];
      const rows: Array<[string, unknown[]]> = [
        [mixed, [period('2023', 0, []), period('2024', 0, [refund]), period('2025', 0, []), period('2026', 8000, [])]],
        [settled, [period('2024', 0, []), period('2025', 0, [])]],
        [attentionOnly, [period('2026', 8000, [])]],
      ];
      // What the previous version wrote: every period, as JSON.stringify gave it.
      for (const [personId, periods] of rows) {
        await sql.query(`INSERT INTO agency_settlement_view ("personId", periods, "refundFen", "arrearsFen") VALUES ($1, $2, 0, 0)`, [
          personId,
          JSON.stringify(periods),
        ]);
      }

      await (await start()).close();

      const textOf = async (personId: string) =>
        (await sql.query('SELECT periods::text AS t FROM agency_settlement_view WHERE "personId" = $1', [personId])).rows[0].t as string;
      expect(await textOf(mixed)).toBe(JSON.stringify([period('2024', 0, [refund]), period('2026', 8000, [])]));
      expect(await textOf(settled)).toBe('[]');
      expect(await textOf(attentionOnly)).toBe(JSON.stringify([period('2026', 8000, [])]));
    });
  });

  it('moves contributions out of person_view states into person_contribution rows, in the texts the projection writes', async () => {
    await withSql(async (sql) => {
      const personId = randomUUID();
      const [c1, c2] = [randomUUID(), randomUUID()];
      const meta = (position: number) => ({ recordedAt: '2024-10-02T02:00:00.000Z', position });
      const state = evolvePersonMany(
        initialPersonState,
        [
          ev.registered('1990-01-01', [], personId),
          ev.enrolled('e1', 'resident', '410327', '2023-09-01'),
          ev.residentPaid(c1, 'e1', '410327', 2024, 38_000, '2023-10-01'),
          ev.residentPaid(c2, 'e1', '410327', 2025, 40_000, '2024-10-01'),
        ].map((event, i) => ({ event, meta: meta(i + 1) })),
      );
      // What the previous version left: no person_contribution table, and the whole state, contributions inside, as JSON.stringify gave it.
      await sql.query('DROP TABLE person_contribution');
      await sql.query(
        `INSERT INTO person_view ("personId", "idNumber", name, "birthDate", state, revision, position) VALUES ($1, $2, 'Old Layout', '1990-01-01', $3, 3, 4)`,
        [personId, makeResidentId('410327', '1990-01-01', 902), JSON.stringify(state)],
      );

      await (await start()).close();
      await (await start()).close(); // a second start finds nothing left to move

      const [view] = (await sql.query('SELECT state::text AS t FROM person_view WHERE "personId" = $1', [personId])).rows;
      expect(view.t).toBe(JSON.stringify(storedState(state)));
      const contributions = await sql.query(
        'SELECT "contributionId", period, data::text AS t FROM person_contribution WHERE "personId" = $1 ORDER BY "contributionId"',
        [personId],
      );
      expect(contributions.rows).toEqual(
        [c1, c2]
          .sort()
          .map((id) => ({ contributionId: id, period: contributionPeriodKey(state.contributions[id]!), t: JSON.stringify(state.contributions[id]) })),
      );
      expect(contributions.rows.map((r) => r.period).sort()).toEqual(['resident|2024|410327', 'resident|2025|410327']);
      const [row] = (await sql.query(`SELECT ${STATE_COLUMNS} FROM person_view v WHERE v."personId" = $1`, [personId])).rows;
      expect(stateOfRow(row)).toEqual(state);
    });
  });
});
