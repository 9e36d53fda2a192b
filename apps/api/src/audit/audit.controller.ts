import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { isValidTimestamp, personStreamId } from '@ledger/domain';
import type { HeadAnchor } from '@ledger/event-store';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { Problem } from '../common/problem';
import { validAsOf } from '../persons/persons.controller';
import { AuditService, verifySummary } from './audit.service';
import { streamEvents, type ExportFormat } from './event-export';
import { coverageAsKnownAt, type KnownAt } from './time-travel';

export class ExportQuery {
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format?: ExportFormat;

  @IsOptional()
  @IsIn(['true', 'false'])
  reveal?: 'true' | 'false';

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @IsOptional()
  @IsString()
  from?: string;

  @IsOptional()
  @IsString()
  to?: string;

  @IsOptional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'type is a comma-separated list of event types' })
  type?: string;
}

export class TimeTravelQuery {
  @IsOptional()
  @IsString()
  asOf?: string;

  @IsString()
  knownAt!: string;
}

export class VerifyQuery {
  @IsOptional()
  anchor?: string | string[];
}

function parseKnownAt(value: string): KnownAt {
  if (/^\d+$/.test(value)) return { kind: 'position', position: Number(value) };
  if (isValidTimestamp(value)) return { kind: 'time', at: value };
  throw new Problem(400, 'invalid_known_at', 'knownAt must be an RFC 3339 time (2025-03-01T12:00:00+08:00) or a global position.', { field: 'knownAt' });
}

function parseAnchors(raw: string | string[] | undefined): HeadAnchor[] {
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((a) => {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(a);
    if (!match)
      throw new Problem(400, 'invalid_anchor', 'anchor must be <position>:<64 hex characters>, as printed by an earlier verify.', { field: 'anchor' });
    return { position: Number(match[1]), hash: match[2] };
  });
}

function timeBound(value: string | undefined, field: string, endOfDay: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${endOfDay ? '23:59:59.999' : '00:00:00'}+08:00`;
  if (isValidTimestamp(value)) return value;
  throw new Problem(400, 'invalid_time', `${field} must be a date (China time) or an RFC 3339 time.`, { field });
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
@Roles('auditor')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  @ApiOperation({
    summary:
      'Recompute every hash link and hold the payment keys against the events that record them; "verified N events, head hash H; K payment keys agree with the events", or the first broken position or disagreeing key. Repeat anchor=<position>:<hash> to hold the chain to heads published earlier.',
  })
  async verify(@Query() query: VerifyQuery) {
    const report = await this.audit.verify(parseAnchors(query.anchor));
    return {
      ...report,
      summary: verifySummary(report),
    };
  }

  @Get('persons/:personId/coverage')
  @ApiOperation({
    summary: 'Coverage on asOf as the ledger knew it at knownAt (time or position), beside what it says now, with the events that changed the answer',
  })
  async coverageAsKnownAt(@Param('personId', ParseUUIDPipe) personId: string, @Query() query: TimeTravelQuery) {
    const events = await this.audit.personEvents(personId);
    if (events.length === 0) throw new Problem(404, 'person_not_found', `No person ${personId}.`);
    return coverageAsKnownAt(personId, events, validAsOf(query.asOf), parseKnownAt(query.knownAt));
  }

  @Get('persons/:personId/events')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOperation({ summary: "Export a person's history (NDJSON or CSV, streamed); ID numbers masked unless reveal=true with a reason, which is recorded" })
  async personEvents(
    @Param('personId', ParseUUIDPipe) personId: string,
    @Query() query: ExportQuery,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res() response: Response,
  ) {
    const reveal = await this.disclosure(query, actor, correlationId, { stream: personStreamId(personId) });
    await streamEvents(response, query.format ?? 'ndjson', reveal, this.audit.personEventPages(personId));
  }

  @Get('events')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOperation({ summary: 'Export events recorded between from and to (dates in China time or RFC 3339), optionally of some types, streamed' })
  async events(@Query() query: ExportQuery, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string, @Res() response: Response) {
    const filter = { from: timeBound(query.from, 'from', false), to: timeBound(query.to, 'to', true), types: query.type?.split(',') };
    const reveal = await this.disclosure(query, actor, correlationId, { ...filter });
    await streamEvents(response, query.format ?? 'ndjson', reveal, this.audit.eventPages(filter));
  }

  @Get('correlations/:correlationId')
  @ApiOperation({ summary: 'Every event a request, batch or job caused, end to end' })
  async correlation(@Param('correlationId') correlationId: string) {
    const events = await this.audit.correlation(correlationId);
    return { correlationId, events };
  }

  private async disclosure(query: ExportQuery, actor: Actor, correlationId: string, scope: Record<string, unknown>): Promise<boolean> {
    if (query.reveal !== 'true') return false;
    if (!query.reason?.trim())
      throw new Problem(400, 'reason_required', 'Whole ID numbers are shown only with a stated reason (reason=…); the disclosure is recorded.');
    await this.audit.recordDisclosure(actor, correlationId, query.reason.trim(), scope);
    return true;
  }
}
