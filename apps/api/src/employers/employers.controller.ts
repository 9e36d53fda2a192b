import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { EmployerActionDto, EmployerListQuery, GrantDeferralDto, RecordArrearsDto, RecordDepartureDto, RecordMakeUpDto, RegisterEmployerDto } from './dto';
import { EmployerWorkflow, type EmployerWriteResult } from './employer-workflow';

function answer(response: Response, result: EmployerWriteResult) {
  response.status(result.projected ? 201 : 202);
  response.setHeader('Ledger-Position', String(result.position));
  return { employer: result.employer };
}

@ApiTags('employers')
@ApiBearerAuth()
@Roles('clerk')
@Controller('v1/employers')
export class EmployersController {
  constructor(private readonly workflow: EmployerWorkflow) {}

  @Post()
  @ApiOperation({ summary: 'Register an employer (unit) with its size, type, SME classification and region' })
  async register(
    @Body() dto: RegisterEmployerDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(response, await this.workflow.register(dto, { actor, correlationId }));
  }

  @Get()
  @ApiOperation({ summary: 'Employers with their deferrals and make-up due dates; deferral=active|overdue filters' })
  async list(@Query() query: EmployerListQuery) {
    return this.workflow.list({ deferral: query.deferral });
  }

  @Get(':employerId')
  async detail(@Param('employerId') employerId: string) {
    return this.workflow.detail(employerId);
  }

  @Post(':employerId/arrears')
  @ApiOperation({ summary: "Record the unit's current arrears (3 months or more excludes it from deferral until paid)" })
  async arrears(
    @Param('employerId') employerId: string,
    @Body() dto: RecordArrearsDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(
      response,
      await this.workflow.recordArrears(employerId, { months: dto.months, fen: dto.fen }, dto.expectedRevision, { actor, correlationId }),
    );
  }

  @Post(':employerId/deferrals')
  @ApiOperation({ summary: "Grant a deferral (缓缴) of the unit part for 3 months; refused with the eligibility rule's code" })
  async grant(
    @Param('employerId') employerId: string,
    @Body() dto: GrantDeferralDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(
      response,
      await this.workflow.grantDeferral(employerId, { deferralId: dto.deferralId, months: dto.months, employees: dto.employees }, dto.expectedRevision, {
        actor,
        correlationId,
      }),
    );
  }

  @Post(':employerId/deferrals/:deferralId/end')
  @ApiOperation({ summary: 'End the deferral period; the make-up is due within 3 months after it' })
  async end(
    @Param('employerId') employerId: string,
    @Param('deferralId') deferralId: string,
    @Body() dto: EmployerActionDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(response, await this.workflow.endDeferral(employerId, deferralId, dto.expectedRevision, { actor, correlationId }));
  }

  @Post(':employerId/deferrals/:deferralId/make-ups')
  @ApiOperation({ summary: 'Record a make-up of the deferred unit part, for one employee or for everything still owed' })
  async makeUp(
    @Param('employerId') employerId: string,
    @Param('deferralId') deferralId: string,
    @Body() dto: RecordMakeUpDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(
      response,
      await this.workflow.recordMakeUp(employerId, deferralId, { fen: dto.fen, personId: dto.personId }, dto.expectedRevision, { actor, correlationId }),
    );
  }

  @Post(':employerId/departures')
  @ApiOperation({ summary: 'Record an employee leaving, retiring or transferring out; blocked while their deferred unit part is unpaid' })
  async departure(
    @Param('employerId') employerId: string,
    @Body() dto: RecordDepartureDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(
      response,
      await this.workflow.recordDeparture(employerId, { personId: dto.personId, reason: dto.reason }, dto.expectedRevision, { actor, correlationId }),
    );
  }
}
