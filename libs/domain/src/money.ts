import { DomainError } from './errors';

/** Money is integer fen (1 元 = 100 fen) so sums never round. */
export type Fen = number;

export function yuan(amount: number): Fen {
  return Math.round(amount * 100);
}

export function assertPositiveFen(value: unknown, field = 'amountFen'): Fen {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new DomainError('invalid_amount', `${field} must be a positive integer number of fen`, { field, value });
  }
  return value;
}
