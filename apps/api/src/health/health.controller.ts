import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionManager } from '@ledger/read-models';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { APP_CONFIG } from '../common/tokens';
import type { AppConfig } from '../config/app-config';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projections: ProjectionManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Event store, database and projection state; 503 when a dependency is down' })
  @ApiOkResponse({ description: 'All dependencies answer' })
  async health(@Res({ passthrough: true }) response: Response) {
    const eventStore = await this.store.health();
    let database: { ok: boolean; detail: string };
    try {
      await this.dataSource.query('SELECT 1');
      database = { ok: true, detail: this.config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'embedded PostgreSQL' };
    } catch (error) {
      database = { ok: false, detail: (error as Error).message };
    }
    const headPosition = eventStore.ok ? await this.store.headPosition() : null;
    const projections = this.projections.status().map((p) => ({ ...p, behind: headPosition === null ? null : Math.max(0, headPosition - p.position) }));
    const ok = eventStore.ok && database.ok && projections.every((p) => p.state !== 'failing');
    if (!ok) response.status(503);
    return { status: ok ? 'ok' : 'degraded', eventStore: { kind: this.config.eventStore, ...eventStore, headPosition }, database, projections };
  }
}
