import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { openDatabase } from './database/embedded-postgres';
import { createApp } from './create-app';
import { printDemoCredentials } from './auth/demo-credentials';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const database = await openDatabase(config, (m) => console.log(m));
  const app = await createApp({ config, databaseUrl: database.url });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  // Nest's own shutdown hooks would exit before the embedded PostgreSQL stops; this handler closes both, in order.
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.listen(config.port);
  if (config.demoCredentials) await printDemoCredentials(app, config);
  console.log(`coverage ledger listening on http://localhost:${config.port} (API docs: /docs, health: /health)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
