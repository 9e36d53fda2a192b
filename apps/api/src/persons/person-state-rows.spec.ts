import { randomUUID } from 'node:crypto';
import { entityDatabase } from '../../../../test/support/test-database';
import { PersonContribution } from './person-contribution.entity';
import { scopeParameters, statesInScope, type ContributionScope } from './person-state-rows';
import { PersonView } from './person-view.entity';

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe('statesInScope against tables of realistic size (plan shape on 20,000 persons, 100,000 contributions)', () => {
  const db = entityDatabase([PersonView, PersonContribution]);
  const period = (month: number) => `employee|2025-0${month}|410327`;

  beforeAll(async () => {
    await db.dataSource.query(`
      INSERT INTO person_view ("personId", "idNumber", name, "birthDate", state, revision, position)
      SELECT gen_random_uuid(), 'id-' || g, 'name ' || g, '1980-01-01', '{}', 5, g FROM generate_series(1, 20000) AS g`);
    await db.dataSource.query(`
      INSERT INTO person_contribution ("personId", period, "contributionId", data)
      SELECT v."personId", 'employee|2025-0' || m || '|410327', gen_random_uuid()::text, json_build_object('month', m)
        FROM person_view v, generate_series(1, 5) AS m`);
    await db.dataSource.query('ANALYZE person_view, person_contribution');
  });

  it('probes person_view by key and the scoped contributions by (personId, period), and reads each scope exactly', async () => {
    const some: Array<{ personId: string }> = await db.dataSource.query('SELECT "personId" FROM person_view ORDER BY position LIMIT 1000');
    const ids = [...some.map((r) => r.personId), randomUUID()]; // one not there
    const scopes = new Map<string, ContributionScope>(ids.map((id, i) => [id, i % 2 === 0 ? new Set([period(1 + (i % 5))]) : 'all']));
    const sql = statesInScope('v."personId"');
    const parameters = scopeParameters(ids, scopes);

    const [
      {
        'QUERY PLAN': [explained],
      },
    ] = await db.dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, parameters);
    const nodes = nodesOf(explained.Plan as PlanNode);
    const views = nodes.filter((n) => n['Relation Name'] === 'person_view');
    expect(views).toHaveLength(1);
    expect(views[0]!['Node Type']).toMatch(/Index/);
    expect(views[0]!['Actual Loops']).toBe(ids.length);
    expect(nodes.some((n) => n['Node Type'] === 'Hash Join' || n['Node Type'] === 'Merge Join')).toBe(false);
    const contributionConditions = nodes
      .filter((n) => n['Relation Name'] === 'person_contribution' || String(n['Index Name'] ?? '').startsWith('person_contribution'))
      .map((n) => String(n['Index Cond'] ?? ''));
    expect(contributionConditions.some((c) => c.includes('period'))).toBe(true);

    const rows: Array<{ personId: string; contributions: Record<string, { month: number }> | null }> = await db.dataSource.query(sql, parameters);
    expect(rows).toHaveLength(1000);
    for (const row of rows) {
      const scope = scopes.get(row.personId)!;
      const months = Object.values(row.contributions ?? {})
        .map((c) => c.month)
        .sort();
      if (scope === 'all') expect(months).toEqual([1, 2, 3, 4, 5]);
      else expect(months.map(period)).toEqual([...scope]);
    }
  });
});
