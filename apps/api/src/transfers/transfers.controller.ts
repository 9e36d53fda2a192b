import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { CompleteTransferDto, ConfirmTransferOutDto, RejectTransferDto, RequestTransferDto, TransferActionDto, TransferQueueQuery } from './dto';
import { TransferWorkflow, type TransferWriteResult } from './transfer-workflow';

/** 201 when the queue already shows the write; 202 with the position when the read models lag. */
function answer(response: Response, result: TransferWriteResult) {
  response.status(result.projected ? 201 : 202);
  response.setHeader('Ledger-Position', String(result.position));
  return { transfer: result.transfer };
}

@ApiTags('transfers')
@ApiBearerAuth()
@Roles('clerk')
@Controller('v1/transfers')
export class TransfersController {
  constructor(private readonly workflow: TransferWorkflow) {}

  @Post()
  @ApiOperation({ summary: 'Request a cross-province transfer (转移接续) at the new region; the old region has 10 working days' })
  async request(
    @Body() dto: RequestTransferDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.workflow.request(
      {
        personId: dto.personId,
        fromRegion: dto.fromRegion,
        toRegion: dto.toRegion,
        scheme: dto.scheme,
        channel: dto.channel ?? 'counter',
        requestedBy: dto.requestedBy ?? 'clerk',
      },
      actor,
      { actor, correlationId },
    );
    return answer(response, result);
  }

  @Get()
  @ApiOperation({ summary: 'The queue: deadlines, working days left, overdue flags and who is waiting for whom (default: open transfers)' })
  async queue(@Query() query: TransferQueueQuery) {
    return this.workflow.queue({ status: query.status ?? 'open', overdue: query.overdue, personId: query.personId });
  }

  @Get(':transferId')
  async detail(@Param('transferId', ParseUUIDPipe) transferId: string) {
    return this.workflow.detail(transferId);
  }

  @Get(':transferId/certificate-draft')
  @ApiOperation({ summary: "The information sheet drafted from the person's ledger, for the clerk to check before confirming the transfer-out" })
  async certificateDraft(@Param('transferId', ParseUUIDPipe) transferId: string) {
    return this.workflow.certificateDraft(transferId);
  }

  @Post(':transferId/transfer-out')
  @ApiOperation({ summary: 'The old region confirms the transfer-out with the information sheet; the new region then has 5 working days' })
  async confirmTransferOut(
    @Param('transferId', ParseUUIDPipe) transferId: string,
    @Body() dto: ConfirmTransferOutDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(response, await this.workflow.confirmTransferOut(transferId, dto.expectedRevision, { ...dto.certificate }, actor, { actor, correlationId }));
  }

  @Post(':transferId/complete')
  @ApiOperation({
    summary: "The new region completes the transfer-in: the person's old enrollment ends with its cover, the new one starts with no waiting period",
  })
  async complete(
    @Param('transferId', ParseUUIDPipe) transferId: string,
    @Body() dto: CompleteTransferDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(
      response,
      await this.workflow.complete(transferId, dto.expectedRevision, { newEnrollmentOn: dto.newEnrollmentOn, employerId: dto.employerId }, actor, {
        actor,
        correlationId,
      }),
    );
  }

  @Post(':transferId/reject')
  @ApiOperation({ summary: 'Either region refuses the transfer, stating the reason' })
  async reject(
    @Param('transferId', ParseUUIDPipe) transferId: string,
    @Body() dto: RejectTransferDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(response, await this.workflow.reject(transferId, dto.expectedRevision, dto.reason, actor, { actor, correlationId, reason: dto.reason }));
  }

  @Post(':transferId/cancel')
  @ApiOperation({ summary: 'The applicant withdraws the request before completion (recorded by the clerk)' })
  async cancel(
    @Param('transferId', ParseUUIDPipe) transferId: string,
    @Body() dto: TransferActionDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return answer(response, await this.workflow.cancel(transferId, dto.expectedRevision, { actor, correlationId }));
  }
}
