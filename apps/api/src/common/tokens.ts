export const APP_CONFIG = Symbol('APP_CONFIG');
export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');
