export type { DecideContext, PersonCommand, PersonCommandType } from './commands';
export { decidePerson, periodIsPaid } from './decide';
export { lapseIdFor, PERSON_EVENT_TYPES, personIdOfStream, personStreamId } from './events';
export type {
  ContributionKind,
  ContributionPart,
  ContributionRecordedData,
  ContributionReversedData,
  DeferredContributionMadeUpData,
  EnrolledInSchemeData,
  EnrollmentEndedData,
  EnrollmentEndReason,
  EventMeta,
  LapseRecordedData,
  Payer,
  PersonCategoriesChangedData,
  PersonEvent,
  PersonEventType,
  PersonRegisteredData,
  Scheme,
  UnitContributionDeferredData,
} from './events';
export { lapsesDue } from './lapses';
export { activeContributions, categoriesAt, contributionPeriod, contributionPeriodKey, enrollmentViews, periodKey } from './queries';
export type { ActiveContribution, EnrollmentView } from './queries';
export { evolvePerson, evolvePersonMany, initialPersonState, replayPerson } from './state';
export type { PersonState, StoredPersonEvent } from './state';
