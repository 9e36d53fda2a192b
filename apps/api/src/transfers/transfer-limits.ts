import { DEFAULT_TRANSFER_POLICY, type TransferPolicy } from '@ledger/domain';

export const TRANSFER_POLICY = Symbol('TRANSFER_POLICY');

/**
 * Working-day limits per region (医保发〔2021〕43号: 10 for the transfer-out, 5 for the
 * transfer-in). A region that sets shorter limits is added to `byRegion`, keyed by its code
 * (county, city `xxxx00` or province `xx0000`): data, like the policy catalogue.
 */
export const TRANSFER_LIMITS: TransferPolicy = {
  defaults: DEFAULT_TRANSFER_POLICY.defaults,
  byRegion: {},
};
