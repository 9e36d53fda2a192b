import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface CorrelatedRequest extends Request {
  correlationId: string;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Every request gets a correlation id (the caller's X-Correlation-Id when well-formed) echoed back in the response. */
export function correlationMiddleware(request: Request, response: Response, next: NextFunction): void {
  const given = request.header('x-correlation-id');
  const id = given && SAFE_ID.test(given) ? given : randomUUID();
  (request as CorrelatedRequest).correlationId = id;
  response.setHeader('X-Correlation-Id', id);
  next();
}
