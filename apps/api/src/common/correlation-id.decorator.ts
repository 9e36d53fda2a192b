import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { CorrelatedRequest } from './correlation.middleware';

export const CorrelationId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<CorrelatedRequest>().correlationId,
);
