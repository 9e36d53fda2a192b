export const APP_CONFIG = Symbol('APP_CONFIG');
export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');
/** Whether this service runs the projections (false: a service that only serves what others project). */
export const START_PROJECTIONS = Symbol('START_PROJECTIONS');
