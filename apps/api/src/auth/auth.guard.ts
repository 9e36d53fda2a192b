import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Problem } from '../common/problem';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { TokenService, type Actor } from './token.service';

export interface AuthenticatedRequest extends Request {
  actor?: Actor;
  /** The exact bytes received (NestFactory rawBody): agency signatures are computed over them. */
  rawBody?: Buffer;
}

/** Signed requests from collection agencies (X-Agency-Id, X-Timestamp, X-Signature) are checked by this, when provided. */
export const AGENCY_AUTHENTICATOR = Symbol('AGENCY_AUTHENTICATOR');
export interface AgencyAuthenticator {
  /** Returns the agency actor, or throws a Problem (401/403) saying what is wrong. */
  authenticate(request: AuthenticatedRequest): Promise<Actor>;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}

/** Bearer tokens for clerks and auditors, signatures for agencies; deny by default. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Optional() @Inject(AGENCY_AUTHENTICATOR) private readonly agencies?: AgencyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Array<Actor['role']>>(ROLES_KEY, targets) ?? [];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.actor && request.headers['x-agency-id'] !== undefined) {
      if (!this.agencies) throw new Problem(401, 'agency_auth_unavailable', 'Agency authentication is not configured.');
      request.actor = await this.agencies.authenticate(request);
    }
    if (!request.actor) {
      const token = bearerToken(request.headers.authorization);
      if (!token) throw new Problem(401, 'unauthenticated', 'Send a bearer token: Authorization: Bearer <token>.');
      const actor = await this.tokens.authenticate(token);
      if (!actor) throw new Problem(401, 'invalid_token', 'The bearer token is unknown or revoked.');
      request.actor = actor;
    }
    if (!roles.includes(request.actor.role)) {
      throw new Problem(403, 'forbidden_for_role', `The ${request.actor.role} role may not do this; it needs one of: ${roles.join(', ') || 'none'}.`);
    }
    return true;
  }
}
