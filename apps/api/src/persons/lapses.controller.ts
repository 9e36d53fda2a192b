import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { isLastDayOfMonth, isValidIsoDate } from '@ledger/domain';
import { Matches } from 'class-validator';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { Problem } from '../common/problem';
import { LapseJob } from './lapse-job';

export class RunLapsesDto {
  @ApiProperty({ example: '2025-12-31', description: 'a month end (31 December for the resident scheme)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'periodEnd must be YYYY-MM-DD' })
  periodEnd!: string;
}

export function checkPeriodEnd(periodEnd: string): void {
  if (!isValidIsoDate(periodEnd) || !isLastDayOfMonth(periodEnd)) {
    throw new Problem(400, 'invalid_period_end', `periodEnd ${periodEnd} must be the last day of a month.`, { field: 'periodEnd' });
  }
}

@ApiTags('persons')
@ApiBearerAuth()
@Controller('v1/lapses')
export class LapsesController {
  constructor(private readonly job: LapseJob) {}

  @Post('run')
  @Roles('clerk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the period-end lapse job; idempotent (a second run records nothing new)' })
  async run(@Body() dto: RunLapsesDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    checkPeriodEnd(dto.periodEnd);
    return this.job.run(dto.periodEnd, { actor, correlationId });
  }
}
