import { Module } from '@nestjs/common';
import { TransfersModule } from '../transfers/transfers.module';
import { EmployerWorkflow } from './employer-workflow';
import { EmployersController } from './employers.controller';

@Module({
  imports: [TransfersModule],
  controllers: [EmployersController],
  providers: [EmployerWorkflow],
})
export class EmployersModule {}
