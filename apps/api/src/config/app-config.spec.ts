import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has safe defaults for a fresh machine: embedded PostgreSQL event store in ./.data on port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      eventStore: 'postgres',
      logLevel: 'info',
      databaseUrl: undefined,
      demoCredentials: true,
      coverageFastPath: true,
      projectionBatchSize: 10_000,
      personStateHandoffSize: 10_000,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('takes a real server from DATABASE_URL and then creates no demo credentials', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/ledger' })).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/ledger',
      demoCredentials: false,
    });
  });

  it('starts the embedded PostgreSQL with settings for a write-heavy ledger, which EMBEDDED_PG_SETTINGS replaces or empties', () => {
    expect(loadConfig({}).embeddedPostgresSettings).toEqual(['shared_buffers=512MB', 'max_wal_size=4GB']);
    expect(loadConfig({ EMBEDDED_PG_SETTINGS: 'shared_buffers=2GB, work_mem=16MB' }).embeddedPostgresSettings).toEqual(['shared_buffers=2GB', 'work_mem=16MB']);
    expect(loadConfig({ EMBEDDED_PG_SETTINGS: '' }).embeddedPostgresSettings).toEqual([]);
  });

  it.each([
    [{ EMBEDDED_PG_SETTINGS: 'shared_buffers' }, /EMBEDDED_PG_SETTINGS: "shared_buffers" is not a setting/],
    [{ EMBEDDED_PG_SETTINGS: 'shared_buffers=1GB;drop' }, /"shared_buffers=1GB;drop" is not a setting/],
    [{ EMBEDDED_PG_SETTINGS: 'a=1,,b=2' }, /"" is not a setting/],
    [{ PORT: 'eighty' }, /PORT=eighty is not valid/],
    [{ PORT: '70000' }, /PORT=70000/],
    [{ EVENT_STORE: 'mongo' }, /EVENT_STORE=mongo is not valid: expected one of postgres, eventstoredb/],
    [{ EVENT_STORE: 'eventstoredb' }, /needs EVENTSTORE_URL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres:/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL=loud/],
    [{ PROJECTION_BATCH_SIZE: '0' }, /PROJECTION_BATCH_SIZE=0 is not valid: expected an integer from 1 to 100000/],
    [{ PERSON_STATE_HANDOFF_SIZE: '-1' }, /PERSON_STATE_HANDOFF_SIZE=-1 is not valid: expected an integer from 0 to 1000000/],
    [{ COVERAGE_FAST_PATH: 'yes' }, /COVERAGE_FAST_PATH=yes is not valid: expected one of true, false/],
  ])('refuses %p with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
