import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiToken, STAFF_ROLES, type StaffRole } from './api-token.entity';

export interface Actor {
  kind: 'staff' | 'agency';
  id: string;
  name: string;
  role: StaffRole | 'agency';
}

/** How an actor is written into event metadata: kind, role and id, enough to find the token or agency. */
export const actorLabel = (actor: Actor): string => `${actor.kind}:${actor.role}:${actor.id}`;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A revoked token stops working within this time in other processes (at once in this one). */
export const TOKEN_CACHE_MS = 10_000;

@Injectable()
export class TokenService {
  // Every request authenticates: a short cache saves a database round trip per call.
  private readonly cache = new Map<string, { actor: Actor | undefined; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async create(role: StaffRole, name: string): Promise<{ id: string; token: string }> {
    if (!STAFF_ROLES.includes(role)) throw new Error(`role must be one of ${STAFF_ROLES.join(', ')}`);
    if (!name.trim()) throw new Error('a token needs a name saying whose it is');
    const token = `lt_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.dataSource.getRepository(ApiToken).insert({ id, name: name.trim(), role, tokenHash: hashToken(token), revokedAt: null });
    return { id, token };
  }

  async authenticate(token: string): Promise<Actor | undefined> {
    const tokenHash = hashToken(token);
    const hit = this.cache.get(tokenHash);
    if (hit && hit.until > Date.now()) return hit.actor;
    const found = await this.dataSource.getRepository(ApiToken).findOneBy({ tokenHash, revokedAt: IsNull() });
    const actor: Actor | undefined = found ? { kind: 'staff', id: found.id, name: found.name, role: found.role } : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tokenHash, { actor, until: Date.now() + TOKEN_CACHE_MS });
    return actor;
  }

  list(): Promise<ApiToken[]> {
    return this.dataSource.getRepository(ApiToken).find({ order: { createdAt: 'ASC' } });
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ApiToken).update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    this.cache.clear();
    return (result.affected ?? 0) > 0;
  }

  async count(): Promise<number> {
    return this.dataSource.getRepository(ApiToken).count();
  }
}
