import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { RecordContributionDto, ReverseContributionDto } from './dto';
import { executePersonCommand } from './persons.controller';

@ApiTags('contributions')
@ApiBearerAuth()
@Controller('v1')
export class ContributionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('contributions')
  @Roles('clerk')
  @ApiOperation({ summary: 'Record a payment taken at the counter (agencies post through /v1/agency/payments)' })
  async record(
    @Body() dto: RecordContributionDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const contributionId = dto.contributionId ?? randomUUID();
    return executePersonCommand(
      this.commands,
      response,
      dto.personId,
      {
        type: 'RecordContribution',
        data: {
          contributionId,
          scheme: dto.scheme,
          regionCode: dto.regionCode,
          ...(dto.coverageMonth !== undefined ? { coverageMonth: dto.coverageMonth } : { coverageYear: dto.coverageYear }),
          amountFen: dto.amountFen,
          payer: dto.payer,
          paidAt: dto.paidAt,
          kind: dto.kind ?? 'regular',
          ...(dto.part ? { part: dto.part } : {}),
          ...(dto.reference ? { agencyId: 'counter', agencyReference: dto.reference } : {}),
        },
      },
      { actor, correlationId },
      { contributionId },
    );
  }

  @Post('persons/:personId/contributions/:contributionId/reversal')
  @Roles('clerk')
  @ApiOperation({ summary: 'Reverse a contribution; the coverage it created is recomputed' })
  async reverse(
    @Param('personId', ParseUUIDPipe) personId: string,
    @Param('contributionId') contributionId: string,
    @Body() dto: ReverseContributionDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return executePersonCommand(
      this.commands,
      response,
      personId,
      { type: 'ReverseContribution', data: { contributionId, reversedAt: new Date().toISOString(), reason: dto.reason } },
      { actor, correlationId, reason: dto.reason },
      { contributionId },
    );
  }
}
