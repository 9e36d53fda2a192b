import { AuditEventLogProjection } from './audit/audit-event-log.projection';
import { AuditModule } from './audit/audit.module';
import type { PersonStateHandoff } from './persons/person-state-handoff';
import { PersonProjection } from './persons/person.projection';
import { PersonsModule } from './persons/persons.module';
import { AgencyModule } from './agency/agency.module';
import { ReceiptProjection } from './agency/receipt.projection';
import { SettlementStateView } from './agency/settlement.projection';
import type { ProjectionList } from './projections/projection.registry';
import { EmployerProjection } from './employers/employer.projection';
import { EmployersModule } from './employers/employers.module';
import { TransferProjection } from './transfers/transfer.projection';
import { TransfersModule } from './transfers/transfers.module';
import { WebModule } from './web/web.module';

/** Feature modules of the service and the projections they keep; each issue's module registers here. */
export const FEATURE_MODULES = [AuditModule, PersonsModule, TransfersModule, EmployersModule, WebModule, AgencyModule];
/** `handoff`: the service's states loaded by the intake, for the persons projection; benches and tools run without. */
export const FEATURE_PROJECTIONS = (handoff?: PersonStateHandoff): ProjectionList => [
  new AuditEventLogProjection(),
  // Settlement shares the persons projection's fold of each person's state (one copy of it, not two).
  new PersonProjection([new SettlementStateView()], handoff),
  new TransferProjection(),
  new EmployerProjection(),
  new ReceiptProjection(),
];
