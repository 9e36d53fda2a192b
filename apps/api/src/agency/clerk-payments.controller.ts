import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource, MoreThan } from 'typeorm';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { Problem } from '../common/problem';
import { ListQuery } from './dto';
import { PaymentIntake } from './payment-intake';
import { AgencyReceiptView } from './receipt-view.entity';
import { SettlementView } from './settlement-view.entity';

const NO_ID = '00000000-0000-0000-0000-000000000000';
const limitOf = (q: ListQuery) => Math.min(500, Math.max(1, Number(q.limit ?? 100)));
const afterOf = (q: ListQuery) => (q.after && /^[0-9a-f-]{36}$/i.test(q.after) ? q.after : NO_ID);

/** The clerk's side of agency intake: the suspense queue and the refunds owed, across agencies. */
@ApiTags('agency payments')
@ApiBearerAuth()
@Controller('v1/clerk')
export class ClerkPaymentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly intake: PaymentIntake,
  ) {}

  @Get('held-payments')
  @Roles('clerk')
  @ApiOperation({ summary: 'Agency payments held for a person or enrollment not known yet (applied automatically when they are)' })
  async held(@Query() query: ListQuery) {
    const rows = await this.dataSource.getRepository(AgencyReceiptView).find({
      where: { status: 'held', receiptId: MoreThan(afterOf(query)) },
      order: { receiptId: 'ASC' },
      take: limitOf(query),
    });
    return {
      items: rows.map((r) => ({
        receiptId: r.receiptId,
        agencyId: r.agencyId,
        reference: r.reference,
        idNumber: r.idNumber,
        name: r.name,
        scheme: r.scheme,
        regionCode: r.regionCode,
        period: r.period,
        amountFen: r.amountFen,
        paidAt: r.paidAt,
        receivedAt: r.receivedAt.toISOString(),
        reason: r.heldReason,
      })),
    };
  }

  @Post('held-payments/:receiptId/retry')
  @Roles('clerk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Try a held payment again now (after registering or enrolling the person at the counter)' })
  async retry(@Param('receiptId', ParseUUIDPipe) receiptId: string, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    const receipt = await this.dataSource.getRepository(AgencyReceiptView).findOneBy({ receiptId });
    if (!receipt) throw new Problem(404, 'receipt_not_found', `No agency receipt ${receiptId}.`);
    const settled = await this.intake.release(receipt.agencyId, receipt.reference, { actor, correlationId, reason: 'clerk retry of a held payment' });
    return { receiptId, ...settled };
  }

  @Get('refunds-due')
  @Roles('clerk')
  @ApiOperation({ summary: 'Overpayments and second payments for paid periods, per contribution, in payment order' })
  async refunds(@Query() query: ListQuery) {
    const rows = await this.dataSource.getRepository(SettlementView).find({
      where: { refundFen: MoreThan(0), personId: MoreThan(afterOf(query)) },
      order: { personId: 'ASC' },
      take: limitOf(query),
    });
    return {
      items: rows.flatMap((r) =>
        r.periods.flatMap((p) =>
          p.refunds.map((f) => ({
            personId: r.personId,
            idNumber: r.idNumber,
            name: r.name,
            scheme: p.scheme,
            regionCode: p.regionCode,
            period: p.period,
            dueFen: p.dueFen,
            paidFen: p.paidFen,
            ...f,
          })),
        ),
      ),
    };
  }
}
