import { AuditEventLogProjection } from './audit/audit-event-log.projection';
import { AuditModule } from './audit/audit.module';
import { PersonProjection } from './persons/person.projection';
import { PersonsModule } from './persons/persons.module';
import type { ProjectionList } from './projections/projection.registry';

/** Feature modules of the service and the projections they keep; each issue's module registers here. */
export const FEATURE_MODULES = [AuditModule, PersonsModule];
export const FEATURE_PROJECTIONS = (): ProjectionList => [new AuditEventLogProjection(), new PersonProjection()];
