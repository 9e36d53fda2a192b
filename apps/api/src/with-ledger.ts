import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadConfig } from './config/app-config';
import { openDatabase } from './database/embedded-postgres';

/** Runs `work` inside the service's own configuration (same DATABASE_URL, same embedded data folder). */
export async function withLedger<T>(work: (app: INestApplicationContext, databaseUrl: string) => Promise<T>): Promise<T> {
  const config = { ...loadConfig(), logLevel: 'warn' as const };
  const database = await openDatabase(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl: database.url, startProjections: false }), {
    logger: ['error', 'warn'],
  });
  try {
    return await work(app, database.url);
  } finally {
    await app.close();
    await database.stop();
  }
}
