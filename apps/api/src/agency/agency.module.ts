import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AGENCY_AUTHENTICATOR } from '../auth/auth.guard';
import { APP_CONFIG } from '../common/tokens';
import type { AppConfig } from '../config/app-config';
import { SignedAgencyAuthenticator } from './agency-authenticator';
import { AgencyPaymentsController } from './agency-payments.controller';
import { AGENCY_SECRET_BOX, AgencyRegistry } from './agency-registry';
import { AgencySecretBox, loadAgencyKey } from './agency-secret-box';
import { ClerkPaymentsController } from './clerk-payments.controller';
import { HeldPaymentReleaser } from './held-payment-releaser';
import { multipartRawBody } from './multipart-raw-body.middleware';
import { PaymentIntake } from './payment-intake';
import { PersonLookup } from './person-lookup';
import { PersonsModule } from '../persons/persons.module';
import { ReconciliationService } from './reconciliation';

/** Collection-agency intake: signed requests, exactly-once postings, the held queue, reconciliation. */
@Module({
  imports: [PersonsModule],
  controllers: [AgencyPaymentsController, ClerkPaymentsController],
  providers: [
    {
      provide: AGENCY_SECRET_BOX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new AgencySecretBox(() => loadAgencyKey(process.env, config.dataDir)),
    },
    AgencyRegistry,
    SignedAgencyAuthenticator,
    { provide: AGENCY_AUTHENTICATOR, useExisting: SignedAgencyAuthenticator },
    PersonLookup,
    PaymentIntake,
    ReconciliationService,
    HeldPaymentReleaser,
  ],
  exports: [AGENCY_AUTHENTICATOR, AgencyRegistry, PaymentIntake],
})
export class AgencyModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(multipartRawBody).forRoutes({ path: 'v1/agency/payments', method: RequestMethod.POST });
  }
}
