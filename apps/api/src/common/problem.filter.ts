import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { EventIdConflict, WrongExpectedRevision } from '@ledger/event-store';
import type { Request, Response } from 'express';
import { Problem, problemBody, type ProblemBody } from './problem';
import { domainErrorStatus, isDomainError } from './domain-error-status';

/** Every error leaves the service as application/problem+json with a stable `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const body = this.toProblem(exception, request.originalUrl ?? request.url);
    if (body.status >= 500) this.logger.error({ err: exception, code: body.code }, 'request failed');
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, instance: string): ProblemBody {
    if (exception instanceof Problem) return problemBody(exception.httpStatus, exception.code, exception.detail, exception.extra, instance);
    if (isDomainError(exception)) {
      return problemBody(
        domainErrorStatus(exception.code),
        exception.code,
        exception.message,
        exception.details ? { details: exception.details } : {},
        instance,
      );
    }
    if (exception instanceof WrongExpectedRevision) {
      return problemBody(
        409,
        'concurrency_conflict',
        'Someone else changed this record first; reload it and try again.',
        { actualRevision: exception.actualRevision },
        instance,
      );
    }
    if (exception instanceof EventIdConflict) return problemBody(409, 'event_id_conflict', exception.message, {}, instance);
    if (exception instanceof HttpException) {
      // Nest turns body-parser's SyntaxError into a plain 400 carrying only JSON.parse's message.
      if (
        exception.getStatus() === 400 &&
        typeof exception.getResponse() === 'object' &&
        /\bJSON\b/.test(String((exception.getResponse() as { message?: unknown }).message))
      ) {
        return problemBody(400, 'malformed_json', 'The request body is not valid JSON.', {}, instance);
      }
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (status === 400 && typeof response === 'object' && Array.isArray((response as { message?: unknown }).message)) {
        return problemBody(400, 'validation_failed', 'The request is not valid.', { errors: (response as { message: string[] }).message }, instance);
      }
      const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
      const code =
        status === 404
          ? 'not_found'
          : status === 413
            ? 'payload_too_large'
            : status === 401
              ? 'unauthenticated'
              : status === 403
                ? 'forbidden'
                : `http_${status}`;
      return problemBody(status, code, message, {}, instance);
    }
    const type = (exception as { type?: string })?.type;
    if (type === 'entity.parse.failed') return problemBody(400, 'malformed_json', 'The request body is not valid JSON.', {}, instance);
    return problemBody(500, 'internal_error', 'An unexpected error occurred; it has been logged.', {}, instance);
  }
}
