import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { coverageAsOf } from '@ledger/domain';
import { PinoLogger } from 'nestjs-pino';
import { pinoHttp, startTime, type HttpLogger } from 'pino-http';
import { bearerToken } from '../auth/auth.guard';
import { ROLES_KEY } from '../auth/roles.decorator';
import { TokenService, type Actor } from '../auth/token.service';
import { correlationIdFrom } from '../common/correlation.middleware';
import { requestLogOptions } from '../common/logging';
import { APP_CONFIG } from '../common/tokens';
import type { AppConfig } from '../config/app-config';
import { PersonQueries } from './person-queries';
import { PersonsController, validAsOf } from './persons.controller';

/** Exactly the reads this path may answer: a UUID, and no query but an optional well-formed asOf. */
const COVERAGE_READ = /^\/v1\/persons\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/coverage(?:\?asOf=(\d{4}-\d{2}-\d{2}))?$/i;

/**
 * `GET /v1/persons/{personId}/coverage` is the read that counters and hospitals make all day. Express's
 * router and Nest's guard, pipes and response handling cost about 0.35 ms of CPU of the 0.87 ms such a read
 * took, enough to keep one process from 1,000 reads a second within 20 ms (BENCHMARKS.md). This listener
 * sits in front of Express on the same HTTP server and answers the plain successes itself: a bearer token of
 * a role the controller's @Roles allows, an optional valid asOf, a known person. Everything else (no token,
 * an agency signature, a refused role, a bad date, other query parameters, an unknown person, any error)
 * goes on to the controller, which gives the documented problem+json answer, so the controller stays the
 * one definition of the route. Its answer is the same body, content type, correlation id and log line;
 * test/e2e/coverage-fast-path.e2e.ts compares the two.
 */
@Injectable()
export class CoverageFastPath implements OnApplicationBootstrap {
  /** How many reads this path answered itself (the rest went to the controller). */
  served = 0;
  private readonly roles: Array<Actor['role']> = Reflect.getMetadata(ROLES_KEY, PersonsController.prototype.coverage) ?? [];
  private logRequest?: HttpLogger;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly queries: PersonQueries,
  ) {}

  onApplicationBootstrap(): void {
    // No HTTP server in a command-line context.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    const [express] = (server?.listeners('request') ?? []) as RequestListener[];
    if (!this.config.coverageFastPath || !server || !express) return;
    // Nest's request logger is built by now (middleware is set up before bootstrap); log through the same one.
    this.logRequest = pinoHttp({ ...requestLogOptions, logger: PinoLogger.root });
    server.removeListener('request', express);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.handle(request, response, () => express(request, response)));
  }

  private handle(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const read = request.method === 'GET' ? COVERAGE_READ.exec(request.url ?? '') : null;
    if (!read) return next();
    const arrivedAt = Date.now();
    // Nothing is written before the answer is known, so handing over stays possible until then.
    this.answer(request, read[1], read[2])
      .then(
        (body) => (body === null ? next() : this.send(request, response, body, arrivedAt)),
        () => next(),
      )
      .catch((error: unknown) => {
        // Only a failure while writing the answer gets here; the controller can no longer take over.
        PinoLogger.root.error({ err: error, correlationId: (request as { correlationId?: string }).correlationId }, 'coverage fast path failed');
        response.destroy();
      });
  }

  private async answer(request: IncomingMessage, personId: string, asOfParameter: string | undefined): Promise<string | null> {
    if (request.headers['x-agency-id'] !== undefined) return null;
    const token = bearerToken(request.headers.authorization);
    const actor = token ? await this.tokens.authenticate(token) : undefined;
    if (!actor || !this.roles.includes(actor.role)) return null;
    // The controller's own check: a date it refuses throws here, and the read goes on to it.
    const asOf = validAsOf(asOfParameter);
    const state = await this.queries.stateOrNull(personId);
    return state ? JSON.stringify(coverageAsOf(state, asOf)) : null;
  }

  private send(request: IncomingMessage, response: ServerResponse, body: string, arrivedAt: number): void {
    const correlationId = correlationIdFrom(request.headers['x-correlation-id']);
    (request as IncomingMessage & { correlationId: string }).correlationId = correlationId;
    (response as ServerResponse & { [startTime]: number })[startTime] = arrivedAt;
    this.logRequest?.(request, response);
    // setHeader rather than writeHead's argument: the request log lists the response's headers.
    response.setHeader('X-Correlation-Id', correlationId);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', String(Buffer.byteLength(body)));
    response.end(body);
    this.served++;
  }
}
