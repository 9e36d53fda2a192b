import type request from 'supertest';
import { agencySignatureHeaders } from '../../apps/api/src/agency/signing';

export interface SigningAgency {
  id: string;
  secret: string;
}

/** A JSON POST signed as the agency signs it (X-Agency-Id, X-Timestamp, X-Signature over the exact bytes sent). */
export function signedJsonPost(http: ReturnType<typeof request>, as: SigningAgency, path: string, body: unknown, at?: Date) {
  const raw = JSON.stringify(body);
  return http
    .post(path)
    .set({ ...agencySignatureHeaders(as.id, as.secret, raw, at), 'Content-Type': 'application/json' })
    .send(raw);
}
