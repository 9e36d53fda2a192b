import { SetMetadata } from '@nestjs/common';
import type { Actor } from './token.service';

export const ROLES_KEY = 'ledger:roles';
export const PUBLIC_KEY = 'ledger:public';

/** Which roles may call a route. Routes with neither @Roles nor @Public are refused to everyone. */
export const Roles = (...roles: Array<Actor['role']>) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);
