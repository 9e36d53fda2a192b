import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { chinaToday, coverageAsOf, isValidIsoDate, type PersonCommand } from '@ledger/domain';
import type { Response } from 'express';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { Problem } from '../common/problem';
import { AsOfQuery, ChangeCategoriesDto, EndEnrollmentDto, EnrollDto, FindPersonsQuery, RecordLapseDto, RegisterPersonDto } from './dto';
import { ExecutePersonCommand, type PersonCommandResult } from './person-command';
import type { CommandContext } from '../common/ledger-writer';
import { PersonQueries } from './person-queries';
import { PersonRegistry } from './person-registry';

/** 201 when the read models already show the write; 202 with the position when they lag behind. */
export function writeAnswer(response: Response, result: PersonCommandResult, body: Record<string, unknown>) {
  response.status(result.projected ? 201 : 202);
  response.setHeader('Ledger-Position', String(result.position));
  return { ...body, revision: result.revision, position: result.position, events: result.events.map((e) => e.type) };
}

/** Runs one person command and answers it: the shape every person write endpoint shares. */
export async function executePersonCommand(
  commands: CommandBus,
  response: Response,
  personId: string,
  command: PersonCommand,
  context: CommandContext,
  body: Record<string, unknown> = {},
) {
  const result: PersonCommandResult = await commands.execute(new ExecutePersonCommand(personId, command, context));
  return writeAnswer(response, result, { personId, ...body });
}

export function validAsOf(asOf: string | undefined): string {
  const date = asOf ?? chinaToday();
  if (!isValidIsoDate(date)) throw new Problem(400, 'invalid_date', `asOf ${date} is not a calendar date.`, { field: 'asOf' });
  return date;
}

@ApiTags('persons')
@ApiBearerAuth()
@Controller('v1/persons')
export class PersonsController {
  constructor(
    private readonly registry: PersonRegistry,
    private readonly commands: CommandBus,
    private readonly queries: PersonQueries,
  ) {}

  @Post()
  @Roles('clerk')
  @ApiOperation({ summary: 'Register a person; the same ID number again is 409 with the existing personId' })
  async register(
    @Body() dto: RegisterPersonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.registry.register(dto, { actor, correlationId });
    return writeAnswer(response, result, { personId: result.personId });
  }

  @Get()
  @Roles('clerk', 'auditor')
  @ApiOperation({ summary: 'Find persons by ID number or name (ID numbers masked for roles that do not need them)' })
  async find(@Query() query: FindPersonsQuery, @CurrentActor() actor: Actor) {
    if (!query.idNumber && !query.name) throw new Problem(400, 'search_term_required', 'Give idNumber or name.');
    return { persons: await this.queries.find(query, actor) };
  }

  @Get(':personId')
  @Roles('clerk', 'auditor')
  async get(@Param('personId', ParseUUIDPipe) personId: string, @CurrentActor() actor: Actor) {
    return this.queries.summary(await this.queries.view(personId), actor);
  }

  @Post(':personId/enrollments')
  @Roles('clerk')
  @ApiOperation({ summary: 'Enroll the person in a scheme in a region' })
  async enroll(
    @Param('personId', ParseUUIDPipe) personId: string,
    @Body() dto: EnrollDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const enrollmentId = dto.enrollmentId ?? randomUUID();
    return executePersonCommand(
      this.commands,
      response,
      personId,
      {
        type: 'EnrollInScheme',
        data: {
          enrollmentId,
          scheme: dto.scheme,
          regionCode: dto.regionCode,
          enrolledOn: dto.enrolledOn,
          ...(dto.employerId ? { employerId: dto.employerId } : {}),
        },
      },
      { actor, correlationId },
      { enrollmentId },
    );
  }

  @Post(':personId/enrollments/:enrollmentId/end')
  @Roles('clerk')
  @ApiOperation({ summary: 'End an enrollment (for example on moving to the employee scheme)' })
  async endEnrollment(
    @Param('personId', ParseUUIDPipe) personId: string,
    @Param('enrollmentId') enrollmentId: string,
    @Body() dto: EndEnrollmentDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return executePersonCommand(
      this.commands,
      response,
      personId,
      { type: 'EndEnrollment', data: { enrollmentId, endedOn: dto.endedOn, reason: dto.reason } },
      { actor, correlationId },
      { enrollmentId },
    );
  }

  @Post(':personId/categories')
  @Roles('clerk')
  @ApiOperation({ summary: 'Set the special-group categories (newborn, rural low-income groups) from a date on' })
  async categories(
    @Param('personId', ParseUUIDPipe) personId: string,
    @Body() dto: ChangeCategoriesDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return executePersonCommand(
      this.commands,
      response,
      personId,
      { type: 'ChangeCategories', data: { categories: dto.categories, effectiveFrom: dto.effectiveFrom } },
      { actor, correlationId },
    );
  }

  @Post(':personId/lapses')
  @Roles('clerk')
  @ApiOperation({ summary: 'Record a lapse (断保) of an unpaid period; recording it twice changes nothing' })
  async lapse(
    @Param('personId', ParseUUIDPipe) personId: string,
    @Body() dto: RecordLapseDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return executePersonCommand(
      this.commands,
      response,
      personId,
      { type: 'RecordLapse', data: { scheme: dto.scheme, regionCode: dto.regionCode, period: dto.period, recordedFor: chinaToday() } },
      { actor, correlationId, reason: dto.reason },
    );
  }

  @Get(':personId/coverage')
  @Roles('clerk', 'auditor')
  @ApiOperation({ summary: 'Coverage, waiting period and continuity on a date (default: today in China)' })
  async coverage(@Param('personId', ParseUUIDPipe) personId: string, @Query() query: AsOfQuery) {
    const asOf = validAsOf(query.asOf);
    const state = await this.queries.state(personId);
    return this.queries.fromStoredState(personId, () => coverageAsOf(state, asOf));
  }

  @Get(':personId/timeline')
  @Roles('clerk', 'auditor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Covered, waiting and uncovered periods over the whole history, with the events behind each' })
  async timeline(@Param('personId', ParseUUIDPipe) personId: string, @CurrentActor() actor: Actor) {
    return this.queries.timeline(personId, actor);
  }
}
