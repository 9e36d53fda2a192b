import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isValidRegionCode } from '@ledger/domain';
import { newEventId, EVENT_STORE, type EventStore, type StoredEvent } from '@ledger/event-store';
import { AGENCY_STREAM, AgencyEvents, agencyStream, type AgencyRegisteredData, type AgencySecretRotatedData } from './agency-events';
import { AgencySecretBox, type SealedSecret } from './agency-secret-box';

export const AGENCY_SECRET_BOX = Symbol('AGENCY_SECRET_BOX');
export const DEFAULT_ROTATION_OVERLAP_MINUTES = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Agency {
  id: string;
  name: string;
  regions: string[];
  registeredAt: string;
  rotatedAt: string | null;
  revision: number;
  /** The current secret first; the previous one only while its overlap lasts. */
  secrets: Array<{ sealed: SealedSecret; validUntil: string | null }>;
}

function foldAgency(events: StoredEvent[]): Agency | null {
  const first = events[0];
  if (!first || first.type !== AgencyEvents.registered) return null;
  const d = first.data as AgencyRegisteredData;
  const agency: Agency = {
    id: d.agencyId,
    name: d.name,
    regions: d.regions,
    registeredAt: d.registeredAt,
    rotatedAt: null,
    revision: first.revision,
    secrets: [{ sealed: d.secret, validUntil: null }],
  };
  for (const e of events.slice(1)) {
    agency.revision = e.revision;
    if (e.type !== AgencyEvents.secretRotated) continue;
    const r = e.data as AgencySecretRotatedData;
    agency.secrets = [
      { sealed: r.secret, validUntil: null },
      { sealed: agency.secrets[0]!.sealed, validUntil: r.previousValidUntil },
    ];
    agency.rotatedAt = r.rotatedAt;
  }
  return agency;
}

const operatorMeta = (actor: string) => ({ correlationId: randomUUID(), causationId: randomUUID(), actor });

export function parseRegions(input: string | string[]): string[] {
  const codes = (Array.isArray(input) ? input : input.split(',')).map((c) => c.trim()).filter(Boolean);
  const bad = codes.filter((c) => !isValidRegionCode(c));
  if (codes.length === 0) throw new Error('an agency needs at least one region code');
  if (bad.length) throw new Error(`not 6-digit GB/T 2260 region codes: ${bad.join(', ')}`);
  return [...new Set(codes)].sort();
}

/** Collection agencies: created and rotated by operators, their secrets kept encrypted in the ledger. */
@Injectable()
export class AgencyRegistry {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AGENCY_SECRET_BOX) private readonly box: AgencySecretBox,
  ) {}

  async create(name: string, regions: string | string[], actor = 'operator:cli'): Promise<{ id: string; secret: string }> {
    if (!name.trim()) throw new Error('an agency needs a name');
    const codes = parseRegions(regions);
    const id = randomUUID();
    const secret = newSecret();
    const data: AgencyRegisteredData = {
      agencyId: id,
      name: name.trim(),
      regions: codes,
      secret: this.box.seal(secret, id),
      registeredAt: new Date().toISOString(),
    };
    await this.store.appendToStream(agencyStream(id), [{ eventId: newEventId(), type: AgencyEvents.registered, data, metadata: operatorMeta(actor) }], {
      expectedRevision: 'no_stream',
    });
    return { id, secret };
  }

  async rotate(
    id: string,
    overlapMinutes = DEFAULT_ROTATION_OVERLAP_MINUTES,
    actor = 'operator:cli',
  ): Promise<{ id: string; secret: string; previousValidUntil: string }> {
    const agency = await this.find(id);
    if (!agency) throw new Error(`no agency ${id}`);
    if (!Number.isInteger(overlapMinutes) || overlapMinutes < 0 || overlapMinutes > 7 * 24 * 60) throw new Error('the overlap must be 0 to 10080 minutes');
    const secret = newSecret();
    const now = new Date();
    const data: AgencySecretRotatedData = {
      secret: this.box.seal(secret, id),
      rotatedAt: now.toISOString(),
      previousValidUntil: new Date(now.getTime() + overlapMinutes * 60_000).toISOString(),
    };
    // At the revision read: two rotations racing would otherwise each believe their secret is current.
    await this.store.appendToStream(agencyStream(id), [{ eventId: newEventId(), type: AgencyEvents.secretRotated, data, metadata: operatorMeta(actor) }], {
      expectedRevision: agency.revision,
    });
    return { id, secret, previousValidUntil: data.previousValidUntil };
  }

  async find(id: string): Promise<Agency | null> {
    if (!UUID.test(id)) return null;
    return foldAgency(await this.store.readStream(agencyStream(id)));
  }

  /** Folds every agency stream; operators list agencies rarely, so no read model is kept for it. */
  async list(): Promise<Agency[]> {
    const head = await this.store.headPosition();
    const byStream = new Map<string, StoredEvent[]>();
    if (head > 0) {
      const subscription = this.store.subscribeToAll({ fromPosition: 'start', filter: { streamNamePrefixes: [AGENCY_STREAM] } });
      const timer = setTimeout(() => void subscription.unsubscribe(), 60_000);
      try {
        for await (const e of subscription) {
          if (e.streamName.startsWith(AGENCY_STREAM)) byStream.set(e.streamName, [...(byStream.get(e.streamName) ?? []), e]);
          if (e.position >= head) break;
        }
      } finally {
        clearTimeout(timer);
        await subscription.unsubscribe();
      }
    }
    return [...byStream.values()].map(foldAgency).filter((a): a is Agency => a !== null);
  }

  /** Constant-time check of a hex HMAC-SHA256 against every secret still valid at `now`. */
  verify(agency: Agency, message: Buffer, signatureHex: string, now: Date): boolean {
    const given = Buffer.from(signatureHex, 'hex');
    let ok = false;
    for (const s of agency.secrets) {
      if (s.validUntil !== null && Date.parse(s.validUntil) < now.getTime()) continue;
      const expected = createHmac('sha256', this.box.open(s.sealed, agency.id)).update(message).digest();
      // No early exit: the time taken does not tell which secret matched.
      if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }
}

function newSecret(): string {
  return `as_${randomBytes(32).toString('base64url')}`;
}
