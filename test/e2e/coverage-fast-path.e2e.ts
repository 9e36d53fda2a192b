import type { INestApplication } from '@nestjs/common';
import { makeResidentId } from '@ledger/domain';
import request from 'supertest';
import { TokenService } from '../../apps/api/src/auth/token.service';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { CoverageFastPath } from '../../apps/api/src/persons/coverage-fast-path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The same database behind two services: one answers plain coverage reads in front of Express
 * (the default), the other sends every read through Nest (COVERAGE_FAST_PATH=false). Every answer and
 * log line must be the same; only who produced it differs.
 */
describe('coverage reads in front of Express and through Nest give the same answers', () => {
  let db: TestDatabase;
  let fast: INestApplication;
  let nest: INestApplication;
  const logs = { fast: [] as Array<Record<string, unknown>>, nest: [] as Array<Record<string, unknown>> };
  let clerk: string;
  let auditor: string;
  let personId: string;

  const start = async (env: NodeJS.ProcessEnv, lines: Array<Record<string, unknown>>) => {
    const config = loadConfig({ LOG_LEVEL: 'info', DATABASE_URL: db.url, READ_YOUR_WRITES_TIMEOUT_MS: '60000', ...env });
    const logStream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
    const app = await createApp({ config, databaseUrl: db.url, logStream });
    await app.init();
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // Both run the projections, as two instances of the service would (each batch locks its checkpoint row).
    fast = await start({}, logs.fast);
    nest = await start({ COVERAGE_FAST_PATH: 'false' }, logs.nest);
    const tokens = fast.get(TokenService);
    clerk = (await tokens.create('clerk', 'counter clerk')).token;
    auditor = (await tokens.create('auditor', 'auditor')).token;
    const http = request(fast.getHttpServer());
    const as = { Authorization: `Bearer ${clerk}` };
    const person = await http
      .post('/v1/persons')
      .set(as)
      .send({ idNumber: makeResidentId('410327', '1980-05-05', 31), name: '张伟', birthDate: '1980-05-05' });
    personId = person.body.personId;
    await http.post(`/v1/persons/${personId}/enrollments`).set(as).send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2023-09-10' }).expect(201);
    const payment = { personId, scheme: 'resident', regionCode: '410327', amountFen: 38000, payer: 'individual' };
    await http
      .post('/v1/contributions')
      .set(as)
      .send({ ...payment, coverageYear: 2024, paidAt: '2023-10-15T09:30:00+08:00' })
      .expect(201);
    await http
      .post('/v1/contributions')
      .set(as)
      .send({ ...payment, coverageYear: 2025, amountFen: 20000, paidAt: '2025-03-02T10:00:00+08:00' })
      .expect(201);
  });
  afterAll(async () => {
    await fast?.close();
    await nest?.close();
    await db?.drop();
  });

  type Read = { path: () => string; headers?: () => Record<string, string>; served: boolean };
  const asClerk = () => ({ Authorization: `Bearer ${clerk}` });
  const reads: Array<[string, Read]> = [
    ['a clerk on a date', { path: () => `/v1/persons/${personId}/coverage?asOf=2024-03-01`, headers: asClerk, served: true }],
    ['a year paid in part, with arrears', { path: () => `/v1/persons/${personId}/coverage?asOf=2025-04-01`, headers: asClerk, served: true }],
    ['an auditor, today by default', { path: () => `/v1/persons/${personId}/coverage`, headers: () => ({ Authorization: `Bearer ${auditor}` }), served: true }],
    [
      'a caller with its own correlation id',
      { path: () => `/v1/persons/${personId}/coverage?asOf=2024-03-01`, headers: () => ({ ...asClerk(), 'X-Correlation-Id': 'desk-7.42' }), served: true },
    ],
    ['an upper-case person id', { path: () => `/v1/persons/${personId.toUpperCase()}/coverage?asOf=2024-03-01`, headers: asClerk, served: true }],
    ['no token', { path: () => `/v1/persons/${personId}/coverage`, served: false }],
    ['an unknown token', { path: () => `/v1/persons/${personId}/coverage`, headers: () => ({ Authorization: 'Bearer lt_nope' }), served: false }],
    [
      'an agency signature',
      { path: () => `/v1/persons/${personId}/coverage`, headers: () => ({ ...asClerk(), 'X-Agency-Id': 'no-such-agency' }), served: false },
    ],
    ['a date that does not exist', { path: () => `/v1/persons/${personId}/coverage?asOf=2024-02-30`, headers: asClerk, served: false }],
    ['a malformed date', { path: () => `/v1/persons/${personId}/coverage?asOf=tomorrow`, headers: asClerk, served: false }],
    ['an unknown parameter', { path: () => `/v1/persons/${personId}/coverage?asOf=2024-03-01&debug=1`, headers: asClerk, served: false }],
    ['an unknown person', { path: () => '/v1/persons/00000000-0000-4000-8000-000000000000/coverage', headers: asClerk, served: false }],
    ['a person id that is not a UUID', { path: () => '/v1/persons/12345/coverage', headers: asClerk, served: false }],
  ];

  it.each(reads)('%s', async (_, read) => {
    const servedBefore = fast.get(CoverageFastPath).served;
    const send = (app: INestApplication) =>
      request(app.getHttpServer())
        .get(read.path())
        .set(read.headers?.() ?? {});
    const [a, b] = [await send(fast), await send(nest)];
    expect({ status: a.status, type: a.headers['content-type'], body: a.body }).toEqual({ status: b.status, type: b.headers['content-type'], body: b.body });
    expect(a.headers['x-correlation-id']).toEqual(expect.any(String));
    if (read.headers?.()['X-Correlation-Id']) expect(a.headers['x-correlation-id']).toBe('desk-7.42');
    if (read.served) expect(a.body).toMatchObject({ personId, status: expect.stringMatching(/^(covered|waiting|not_covered)$/) });
    expect(fast.get(CoverageFastPath).served - servedBefore).toBe(read.served ? 1 : 0);
    expect(nest.get(CoverageFastPath).served).toBe(0);
  });

  it('logs a read it answers as Nest logs it: same fields and correlation id, no token', async () => {
    const path = `/v1/persons/${personId}/coverage?asOf=2024-03-01`;
    const readLogged = async (app: INestApplication, lines: Array<Record<string, unknown>>, correlationId: string) => {
      await request(app.getHttpServer()).get(path).set(asClerk()).set('X-Correlation-Id', correlationId).expect(200);
      const line = lines.find((l) => l.correlationId === correlationId);
      expect(line).toBeDefined();
      return line!;
    };
    const servedBefore = fast.get(CoverageFastPath).served;
    const a = await readLogged(fast, logs.fast, 'log-check-fast');
    const b = await readLogged(nest, logs.nest, 'log-check-nest');
    expect(fast.get(CoverageFastPath).served).toBe(servedBefore + 1);
    expect(a).toMatchObject({ level: 30, msg: 'request completed', req: { id: 'log-check-fast', method: 'GET', url: path }, res: { statusCode: 200 } });
    expect(a.responseTime).toEqual(expect.any(Number));
    // Apart from the time and the correlation id, the two lines are the same.
    const comparable = (line: Record<string, unknown>, correlationId: string) =>
      JSON.parse(JSON.stringify({ ...line, time: 0, responseTime: 0 }).replaceAll(correlationId, 'ID')) as unknown;
    expect(comparable(a, 'log-check-fast')).toEqual(comparable(b, 'log-check-nest'));
    expect(JSON.stringify(a)).not.toContain(clerk);
  });

  it('masks resident ID numbers in every logged URL', async () => {
    const idNumber = makeResidentId('410327', '1980-05-05', 31);
    await request(fast.getHttpServer()).get(`/v1/persons?idNumber=${idNumber}`).set(asClerk()).set('X-Correlation-Id', 'log-check-mask').expect(200);
    const line = logs.fast.find((l) => l.correlationId === 'log-check-mask');
    expect((line?.req as { url: string }).url).toBe(`/v1/persons?idNumber=${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`);
    expect(JSON.stringify(logs.fast)).not.toContain(idNumber);
  });
});
