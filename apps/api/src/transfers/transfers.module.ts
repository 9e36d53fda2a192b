import { Module } from '@nestjs/common';
import { BusinessClock } from './business-clock';
import { TRANSFER_LIMITS, TRANSFER_POLICY } from './transfer-limits';
import { TransferWorkflow } from './transfer-workflow';
import { TransfersController } from './transfers.controller';

@Module({
  controllers: [TransfersController],
  providers: [TransferWorkflow, BusinessClock, { provide: TRANSFER_POLICY, useValue: TRANSFER_LIMITS }],
  // The employers' workflow dates its decisions with the same clock.
  exports: [BusinessClock],
})
export class TransfersModule {}
