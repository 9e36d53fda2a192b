import { Injectable } from '@nestjs/common';
import { chinaToday } from '@ledger/domain';

/**
 * The business date the transfer and deferral deciders see. One injectable place, so workflow
 * tests can pin the date (deadlines, overdue steps) without touching the system clock.
 */
@Injectable()
export class BusinessClock {
  today(): string {
    return chinaToday();
  }
}
