import {
  DynamicModule,
  Global,
  Inject,
  MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { upgradeReadModels } from './database/read-model-columns';
import { applyReadModelStorage } from './database/read-model-storage';
import { createEventStore, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionCheckpoint, ProjectionManager } from '@ledger/read-models';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { ApiToken } from './auth/api-token.entity';
import { AuthGuard } from './auth/auth.guard';
import { TokenService } from './auth/token.service';
import { correlationMiddleware } from './common/correlation.middleware';
import { LedgerWriter } from './common/ledger-writer';
import { loggerParams } from './common/logging';
import { ProblemFilter } from './common/problem.filter';
import { APP_CONFIG, START_PROJECTIONS } from './common/tokens';
import type { AppConfig } from './config/app-config';
import { HealthController } from './health/health.controller';
import { PROJECTIONS, type ProjectionList } from './projections/projection.registry';
import { FEATURE_MODULES, FEATURE_PROJECTIONS } from './features';
import { PersonStateHandoff } from './persons/person-state-handoff';

export interface AppModuleOptions {
  config: AppConfig;
  /** The PostgreSQL for read models (and for the event store when EVENT_STORE=postgres). */
  databaseUrl: string;
  /** Tests may run without live projections to drive the runner themselves. */
  startProjections?: boolean;
  /** Where log lines go; standard output when not given (tests capture them here). */
  logStream?: DestinationStream;
}

@Global()
@Module({})
export class AppModule implements NestModule, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionManager,
    @Inject(START_PROJECTIONS) private readonly startProjections: boolean,
    private readonly dataSource: DataSource,
  ) {}

  static forRoot(options: AppModuleOptions): DynamicModule {
    const handoff = new PersonStateHandoff(options.config.personStateHandoffSize);
    const projections: ProjectionList = FEATURE_PROJECTIONS(handoff);
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(options.config, options.logStream)),
        CqrsModule.forRoot(),
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            await upgradeReadModels(options.databaseUrl);
            return {
              type: 'postgres' as const,
              url: options.databaseUrl,
              entities: [ProjectionCheckpoint, ApiToken, ...projections.flatMap((p) => p.entities as never[])],
              // Read models are disposable (rebuilt from events); schema follows the entities.
              synchronize: true,
              extra: { max: 20 },
            };
          },
        }),
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: START_PROJECTIONS, useValue: options.startProjections ?? true },
        { provide: PROJECTIONS, useValue: projections },
        { provide: PersonStateHandoff, useValue: handoff },
        {
          provide: EVENT_STORE,
          useFactory: () =>
            createEventStore({ kind: options.config.eventStore, databaseUrl: options.databaseUrl, eventStoreUrl: options.config.eventStoreUrl }),
        },
        {
          provide: ProjectionManager,
          inject: [EVENT_STORE, DataSource, PROJECTIONS, PinoLogger],
          useFactory: (store: EventStore, dataSource: DataSource, list: ProjectionList, logger: PinoLogger) =>
            new ProjectionManager(store, dataSource, list, {
              batchSize: options.config.projectionBatchSize,
              onError: (name, error) => logger.error({ err: error, projection: name }, 'projection batch failed; retrying'),
            }),
        },
        TokenService,
        LedgerWriter,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [APP_CONFIG, EVENT_STORE, ProjectionManager, TokenService, LedgerWriter, PROJECTIONS, PersonStateHandoff, START_PROJECTIONS],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationMiddleware).forRoutes('*path');
  }

  async onApplicationBootstrap(): Promise<void> {
    await applyReadModelStorage(this.dataSource);
    if (this.startProjections) await this.projections.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projections.stop();
    await this.store.close();
  }
}
