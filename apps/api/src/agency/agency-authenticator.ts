import { Injectable } from '@nestjs/common';
import type { AgencyAuthenticator, AuthenticatedRequest } from '../auth/auth.guard';
import type { Actor } from '../auth/token.service';
import { Problem } from '../common/problem';
import { AgencyRegistry, type Agency } from './agency-registry';

export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

export interface AgencyRequest extends AuthenticatedRequest {
  agency?: Agency;
}

function header(request: AuthenticatedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * X-Agency-Id, X-Timestamp (RFC 3339, within ±5 minutes) and X-Signature = hex HMAC-SHA256 of
 * `timestamp + "." + raw body` under the agency's secret. An unknown agency and a wrong signature
 * get the same answer, so the answer does not confirm which agency ids exist.
 */
@Injectable()
export class SignedAgencyAuthenticator implements AgencyAuthenticator {
  constructor(private readonly agencies: AgencyRegistry) {}

  async authenticate(request: AgencyRequest): Promise<Actor> {
    const id = header(request, 'x-agency-id');
    const timestamp = header(request, 'x-timestamp');
    const signature = header(request, 'x-signature');
    if (!id || !timestamp || !signature) {
      throw new Problem(401, 'agency_signature_missing', 'Signed agency requests need X-Agency-Id, X-Timestamp and X-Signature.');
    }
    const at = Date.parse(timestamp);
    if (!RFC3339.test(timestamp) || Number.isNaN(at))
      throw new Problem(401, 'agency_timestamp_invalid', 'X-Timestamp must be an RFC 3339 timestamp, e.g. 2025-01-15T09:30:00+08:00.');
    const now = new Date();
    if (Math.abs(now.getTime() - at) > MAX_CLOCK_SKEW_MS) {
      throw new Problem(401, 'agency_timestamp_skew', 'X-Timestamp is more than 5 minutes from the ledger clock; sign again with the current time.', {
        serverTime: now.toISOString(),
      });
    }
    const agency = /^[0-9a-f]{64}$/i.test(signature) ? await this.agencies.find(id) : null;
    const message = Buffer.concat([Buffer.from(`${timestamp}.`), request.rawBody ?? Buffer.alloc(0)]);
    if (!agency || !this.agencies.verify(agency, message, signature, now)) {
      throw new Problem(
        401,
        'agency_signature_invalid',
        'Unknown agency or wrong signature: X-Signature must be the hex HMAC-SHA256 of X-Timestamp + "." + the raw body.',
      );
    }
    request.agency = agency;
    return { kind: 'agency', id: agency.id, name: agency.name, role: 'agency' };
  }
}
