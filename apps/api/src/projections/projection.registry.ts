import type { Projection } from '@ledger/read-models';

/** The read models this service keeps. Each feature module adds its projection here. */
export const PROJECTIONS = Symbol('PROJECTIONS');
export type ProjectionList = Projection[];
