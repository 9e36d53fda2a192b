import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('service basics (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health reports the event store, the database and the projections', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      eventStore: { kind: 'postgres', ok: true, headPosition: expect.any(Number) },
      database: { ok: true },
    });
    expect(Array.isArray(res.body.projections)).toBe(true);
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/health');
    await request(t.app.getHttpServer()).get('/docs').expect(200);
  });

  it('answers unknown routes with application/problem+json and a stable code', async () => {
    const res = await request(t.app.getHttpServer()).get('/v1/no-such-thing').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found', instance: '/v1/no-such-thing' });
    expect(res.body.type).toMatch(/not_found$/);
  });

  it('echoes a well-formed correlation id and invents one otherwise', async () => {
    const given = await request(t.app.getHttpServer()).get('/health').set('X-Correlation-Id', 'batch-2026-11-26.7');
    expect(given.headers['x-correlation-id']).toBe('batch-2026-11-26.7');
    const invented = await request(t.app.getHttpServer()).get('/health').set('X-Correlation-Id', 'bad id with spaces');
    expect(invented.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not advertise the framework', async () => {
    const res = await request(t.app.getHttpServer()).get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
