import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { TokenService } from '../../apps/api/src/auth/token.service';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  db: TestDatabase;
  clerkToken: string;
  auditorToken: string;
  close(): Promise<void>;
}

/** The real service on its own fresh database, with a clerk and an auditor token. */
export async function startTestApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  // A busy CI machine may take seconds to project; tests expect read-your-writes, not speed.
  const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: db.url, READ_YOUR_WRITES_TIMEOUT_MS: '60000', ...env });
  const app = await createApp({ config, databaseUrl: db.url });
  await app.init();
  const tokens = app.get(TokenService);
  const clerkToken = (await tokens.create('clerk', 'test clerk')).token;
  const auditorToken = (await tokens.create('auditor', 'test auditor')).token;
  return {
    app,
    db,
    clerkToken,
    auditorToken,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
