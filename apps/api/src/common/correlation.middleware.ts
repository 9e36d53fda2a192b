import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface CorrelatedRequest extends Request {
  correlationId: string;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's X-Correlation-Id when well-formed, a new one otherwise. */
export function correlationIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

/** Every request gets a correlation id echoed back in the response. */
export function correlationMiddleware(request: Request, response: Response, next: NextFunction): void {
  const id = correlationIdFrom(request.headers['x-correlation-id']);
  (request as CorrelatedRequest).correlationId = id;
  response.setHeader('X-Correlation-Id', id);
  next();
}
