import fc from 'fast-check';
import { givenWhenThen } from '../transfer/testing/given-when-then';
import { decideEmployer } from './decide-employer';
import { deferralEligibility } from './deferral-eligibility';
import { DEFAULT_DEFERRAL_POLICY } from './deferral-policy';
import { canEmployeeDepart, isMakeUpOverdue, listOverdueMakeUps, outstandingDeferralsFor } from './deferral-queries';
import type { EmployerCommand, EmployerContext, RegisterEmployer } from './employer-commands';
import type { EmployerEvent, EmployerRegisteredData } from './employer-events';
import { EmployerState, evolveEmployer, initialEmployerState } from './employer-state';

const given = givenWhenThen<EmployerState, EmployerCommand, EmployerEvent, EmployerContext>({
  initialState: initialEmployerState,
  evolve: evolveEmployer,
  decide: decideEmployer,
});
const on = (today: string): EmployerContext => ({ today });
const stateOf = (events: EmployerEvent[]) => given(events).state;

const unit: EmployerRegisteredData = {
  employerId: 'emp-1',
  name: '宜阳县某某机械有限公司',
  unitType: 'enterprise',
  staffCount: 120,
  smeQualified: false,
  regionCode: '410327',
};
const register: RegisterEmployer = { type: 'RegisterEmployer', ...unit };
const registered = (patch: Partial<EmployerRegisteredData> = {}): EmployerEvent => ({
  type: 'EmployerRegistered',
  data: { ...unit, ...patch },
});

// Yiyang: applications by 20 August 2022, deferral from September.
const grant: EmployerCommand = {
  type: 'GrantDeferral',
  deferralId: 'd-2022',
  months: ['2022-09', '2022-10', '2022-11'],
  employees: ['p-1', 'p-2'],
};
const granted: EmployerEvent = {
  type: 'DeferralGranted',
  data: {
    deferralId: 'd-2022',
    months: ['2022-09', '2022-10', '2022-11'],
    grantedOn: '2022-08-20',
    makeUpDueOn: '2023-02-28',
    employees: ['p-1', 'p-2'],
  },
};
const ended: EmployerEvent = { type: 'DeferralEnded', data: { deferralId: 'd-2022', endedOn: '2022-11-30' } };
const madeUpFor = (personId: string, on = '2022-12-15'): EmployerEvent => ({
  type: 'DeferredContributionsMadeUp',
  data: { deferralId: 'd-2022', fen: 3_600_00, on, late: false, personId },
});
const madeUpAll: EmployerEvent = {
  type: 'DeferredContributionsMadeUp',
  data: { deferralId: 'd-2022', fen: 7_200_00, on: '2023-01-10', late: false, all: true },
};

describe('RegisterEmployer', () => {
  it('registers the unit', () => {
    given([]).when(register, on('2022-01-05')).then([registered()]);
  });

  it('refuses a second registration', () => {
    given([registered()]).when(register, on('2022-01-05')).then('employer_already_registered');
  });

  it.each([
    ['invalid_unit_type', { unitType: 'state_owned' }],
    ['invalid_staff_count', { staffCount: -1 }],
    ['invalid_staff_count', { staffCount: 12.5 }],
    ['missing_field', { name: '  ' }],
    ['missing_field', { employerId: '' }],
    ['missing_field', { smeQualified: 'yes' }],
    ['invalid_region_code', { regionCode: '4103' }],
  ])('refuses with %s when %j', (code, patch) => {
    given([])
      .when({ ...register, ...patch } as EmployerCommand, on('2022-01-05'))
      .then(code);
  });
});

describe('RecordEmployerArrears', () => {
  it('records the current arrears', () => {
    given([registered()])
      .when({ type: 'RecordEmployerArrears', months: 2, fen: 4_500_00 }, on('2022-08-01'))
      .then([{ type: 'EmployerArrearsChanged', data: { months: 2, fen: 4_500_00 } }]);
  });

  it('refuses a negative amount', () => {
    given([registered()]).when({ type: 'RecordEmployerArrears', months: 1, fen: -5 }, on('2022-08-01')).then('invalid_amount');
  });

  it('refuses an unregistered unit', () => {
    given([]).when({ type: 'RecordEmployerArrears', months: 1, fen: 5 }, on('2022-08-01')).then('employer_not_registered');
  });
});

describe('GrantDeferral', () => {
  it('defers three months; make-up due the last day of the third month after the last deferred month', () => {
    given([registered()]).when(grant, on('2022-08-20')).then([granted]);
  });

  it.each([
    [['2022-07', '2022-08', '2022-09'], '2022-12-31', 'the national July–September round, due by end of December'],
    [['2022-11', '2022-12', '2023-01'], '2023-04-30', 'across a year end'],
    [['2023-09', '2023-10', '2023-11'], '2024-02-29', 'into a leap February'],
  ])('months %j → make-up due %s (%s)', (months, due) => {
    given([registered()])
      .when({ ...grant, months } as EmployerCommand, on('2022-07-01'))
      .thenState((state) => expect(state.deferrals['d-2022']?.makeUpDueOn).toBe(due));
  });

  describe('eligibility (source 004 二)', () => {
    it.each([['government_body'], ['public_institution'], ['individual_business_flexible'], ['flexible_worker']] as const)(
      'refuses a %s as unit_type_excluded',
      (unitType) => {
        given([registered({ unitType })])
          .when(grant, on('2022-08-20'))
          .thenRefused('unit_type_excluded', { unitType });
      },
    );

    it.each([['individual_business_as_unit'], ['social_organization'], ['enterprise']] as const)('grants a %s', (unitType) => {
      given([registered({ unitType })])
        .when(grant, on('2022-08-20'))
        .thenState((state) => expect(Object.keys(state.deferrals)).toEqual(['d-2022']));
    });

    it.each([
      // [staff, SME classified, outcome]
      [299, false, 'granted'],
      [300, false, 'sme_classification_required'],
      [300, true, 'granted'],
      [2000, false, 'sme_classification_required'],
      [2000, true, 'granted'],
      [2001, true, 'staff_count_too_large'],
      [5000, false, 'staff_count_too_large'],
    ])('%i staff, SME %s → %s', (staffCount, smeQualified, outcome) => {
      const when = given([registered({ staffCount, smeQualified })]).when(grant, on('2022-08-20'));
      if (outcome === 'granted') when.thenState((state) => expect(state.deferrals['d-2022']).toBeDefined());
      else when.then(outcome);
    });

    it('grants with 2 months of arrears', () => {
      given([registered(), { type: 'EmployerArrearsChanged', data: { months: 2, fen: 100 } }])
        .when(grant, on('2022-08-20'))
        .thenState((state) => expect(state.deferrals['d-2022']).toBeDefined());
    });

    it('refuses with 3 months of arrears (3个月(含)以上)', () => {
      given([registered(), { type: 'EmployerArrearsChanged', data: { months: 3, fen: 9_000_00 } }])
        .when(grant, on('2022-08-20'))
        .thenRefused('arrears_outstanding', { months: 3, fen: 9_000_00 });
    });

    it('grants once the arrears are paid', () => {
      given([
        registered(),
        { type: 'EmployerArrearsChanged', data: { months: 4, fen: 9_000_00 } },
        { type: 'EmployerArrearsChanged', data: { months: 0, fen: 0 } },
      ])
        .when(grant, on('2022-08-20'))
        .thenState((state) => expect(state.deferrals['d-2022']?.grantedOn).toBe('2022-08-20'));
    });

    it('refuses an unregistered unit', () => {
      given([]).when(grant, on('2022-08-20')).then('employer_not_registered');
    });

    it('reports eligibility without deciding, for listing units (免申即享)', () => {
      expect(deferralEligibility(stateOf([registered()]), DEFAULT_DEFERRAL_POLICY)).toEqual({ eligible: true });
      expect(deferralEligibility(stateOf([registered({ staffCount: 2500 })]), DEFAULT_DEFERRAL_POLICY)).toMatchObject({
        eligible: false,
        code: 'staff_count_too_large',
      });
    });
  });

  it('takes month count, window and staff limits from the policy', () => {
    const policy = { ...DEFAULT_DEFERRAL_POLICY, months: 2, makeUpMonths: 1, smallStaffLimit: 100 };
    given([registered({ staffCount: 120 })])
      .when({ ...grant, months: ['2022-09', '2022-10'] } as EmployerCommand, { today: '2022-08-20', policy })
      .then('sme_classification_required');
    given([registered({ staffCount: 50 })])
      .when({ ...grant, months: ['2022-09', '2022-10'] } as EmployerCommand, { today: '2022-08-20', policy })
      .thenState((state) => expect(state.deferrals['d-2022']?.makeUpDueOn).toBe('2022-11-30'));
  });

  it.each([[['2022-09', '2022-10']], [['2022-09', '2022-10', '2022-12']], [['2022-10', '2022-09', '2022-11']], [['2022-09', '2022-10', '2022-13']]])(
    'refuses months %j as invalid_deferral_months',
    (months) => {
      given([registered()])
        .when({ ...grant, months } as EmployerCommand, on('2022-08-20'))
        .then('invalid_deferral_months');
    },
  );

  it('refuses a deferral overlapping an earlier one', () => {
    given([registered(), granted])
      .when({ ...grant, deferralId: 'd-2', months: ['2022-11', '2022-12', '2023-01'] } as EmployerCommand, on('2022-08-21'))
      .thenRefused('deferral_months_overlap', { deferralId: 'd-2022' });
  });

  it('refuses a reused deferral id', () => {
    given([registered(), granted])
      .when({ ...grant, months: ['2023-09', '2023-10', '2023-11'] } as EmployerCommand, on('2023-08-20'))
      .then('deferral_id_taken');
  });

  it.each([[['p-1', 'p-1']], [['p-1', '']]])('refuses employees %j', (employees) => {
    given([registered()])
      .when({ ...grant, employees } as EmployerCommand, on('2022-08-20'))
      .then('invalid_employees');
  });
});

describe('EndDeferral', () => {
  it('ends the deferral period', () => {
    given([registered(), granted]).when({ type: 'EndDeferral', deferralId: 'd-2022' }, on('2022-11-30')).then([ended]);
  });

  it('refuses an unknown deferral', () => {
    given([registered()]).when({ type: 'EndDeferral', deferralId: 'nope' }, on('2022-11-30')).then('deferral_not_found');
  });

  it('refuses ending twice', () => {
    given([registered(), granted, ended]).when({ type: 'EndDeferral', deferralId: 'd-2022' }, on('2022-12-01')).then('deferral_already_ended');
  });

  it('refuses an end dated before the grant', () => {
    given([registered(), granted]).when({ type: 'EndDeferral', deferralId: 'd-2022' }, on('2022-08-19')).then('date_out_of_order');
  });
});

describe('RecordDeferredMakeUp', () => {
  const makeUp = (personId: string, fen = 3_600_00): EmployerCommand => ({
    type: 'RecordDeferredMakeUp',
    deferralId: 'd-2022',
    personId,
    fen,
  });

  it('records one employee made up in time', () => {
    given([registered(), granted, ended])
      .when(makeUp('p-1'), on('2022-12-15'))
      .then([madeUpFor('p-1')]);
  });

  it('records everything made up at once', () => {
    given([registered(), granted, ended])
      .when({ type: 'RecordDeferredMakeUp', deferralId: 'd-2022', all: true, fen: 7_200_00 }, on('2023-01-10'))
      .then([madeUpAll]);
  });

  it('on the due date is not late; the day after is', () => {
    given([registered(), granted, ended])
      .when(makeUp('p-1'), on('2023-02-28'))
      .thenState((s, [e]) => expect(e?.type === 'DeferredContributionsMadeUp' && e.data.late).toBe(false));
    given([registered(), granted, ended])
      .when(makeUp('p-1'), on('2023-03-01'))
      .thenState((s, [e]) => expect(e?.type === 'DeferredContributionsMadeUp' && e.data.late).toBe(true));
  });

  it('keeps a running total of what was made up', () => {
    given([registered(), granted, ended, madeUpFor('p-1')])
      .when(makeUp('p-2', 4_000_00), on('2022-12-20'))
      .thenState((state) => expect(state.deferrals['d-2022']?.madeUpFen).toBe(7_600_00));
  });

  it('refuses someone the deferral did not cover', () => {
    given([registered(), granted]).when(makeUp('p-9'), on('2022-12-15')).then('not_a_deferred_employee');
  });

  it.each([
    ['the same employee twice', [madeUpFor('p-1')], 'p-1'],
    ['an employee after everything was made up', [madeUpAll], 'p-2'],
  ])('refuses %s', (_why, history, personId) => {
    given([registered(), granted, ...history])
      .when(makeUp(personId), on('2023-01-15'))
      .then('deferral_already_made_up');
  });

  it('refuses "all" once every employee is made up one by one', () => {
    given([registered(), granted, madeUpFor('p-1'), madeUpFor('p-2')])
      .when({ type: 'RecordDeferredMakeUp', deferralId: 'd-2022', all: true, fen: 1 }, on('2023-01-15'))
      .then('deferral_already_made_up');
  });

  it.each([[0], [-100], [1.5]])('refuses an amount of %d fen', (fen) => {
    given([registered(), granted]).when(makeUp('p-1', fen), on('2022-12-15')).then('invalid_amount');
  });

  it('refuses an unknown deferral', () => {
    given([registered()]).when({ type: 'RecordDeferredMakeUp', deferralId: 'nope', personId: 'p-1', fen: 1 }, on('2022-12-15')).then('deferral_not_found');
  });
});

describe('employee departure during deferral (004 三(二))', () => {
  const depart = (personId: string, reason: 'left' | 'retired' | 'transferred_out' = 'left'): EmployerCommand => ({
    type: 'RecordEmployeeDeparture',
    personId,
    reason,
  });

  it.each([['left'], ['retired'], ['transferred_out']] as const)('refuses an employee who %s while the unit part is deferred', (reason) => {
    given([registered(), granted])
      .when(depart('p-1', reason), on('2022-10-10'))
      .thenRefused('deferred_contributions_outstanding', { personId: 'p-1', deferralIds: ['d-2022'] });
  });

  it('still refuses after the deferral period ended while the make-up is unpaid', () => {
    given([registered(), granted, ended]).when(depart('p-1'), on('2022-12-05')).then('deferred_contributions_outstanding');
  });

  it('allows the same employee once their deferred part is made up', () => {
    given([registered(), granted, madeUpFor('p-1', '2022-10-09')])
      .when(depart('p-1', 'transferred_out'), on('2022-10-10'))
      .then([{ type: 'EmployeeDeparted', data: { personId: 'p-1', reason: 'transferred_out', on: '2022-10-10' } }]);
  });

  it('making up one employee does not free another', () => {
    const state = stateOf([registered(), granted, madeUpFor('p-1')]);
    expect(canEmployeeDepart(state, 'p-1')).toBe(true);
    expect(canEmployeeDepart(state, 'p-2')).toBe(false);
    expect(outstandingDeferralsFor(state, 'p-2')).toEqual(['d-2022']);
  });

  it('allows everyone after the whole deferral is made up', () => {
    given([registered(), granted, madeUpAll])
      .when(depart('p-2', 'retired'), on('2023-01-11'))
      .thenState((state) => expect(state.departures).toEqual([{ personId: 'p-2', reason: 'retired', on: '2023-01-11' }]));
  });

  it('allows an employee the deferral did not cover', () => {
    given([registered(), granted])
      .when(depart('p-3'), on('2022-10-10'))
      .thenState((state) => expect(state.departures.map((d) => d.personId)).toEqual(['p-3']));
  });

  it('refuses an unknown reason', () => {
    given([registered()])
      .when({ type: 'RecordEmployeeDeparture', personId: 'p-3', reason: 'fired' } as unknown as EmployerCommand, on('2022-10-10'))
      .then('invalid_departure_reason');
  });
});

describe('DeregisterEmployer', () => {
  it('is refused while deferred contributions are unpaid', () => {
    given([registered(), granted, madeUpFor('p-1')])
      .when({ type: 'DeregisterEmployer' }, on('2022-12-20'))
      .thenRefused('deferred_contributions_outstanding', { deferralIds: ['d-2022'] });
  });

  it('is allowed once everything is made up, and the unit then refuses further commands', () => {
    const history: EmployerEvent[] = [registered(), granted, madeUpAll];
    given(history)
      .when({ type: 'DeregisterEmployer' }, on('2023-01-20'))
      .then([{ type: 'EmployerDeregistered', data: { on: '2023-01-20' } }]);
    const closed = [...history, { type: 'EmployerDeregistered', data: { on: '2023-01-20' } } as EmployerEvent];
    given(closed).when({ type: 'RecordEmployerArrears', months: 0, fen: 0 }, on('2023-02-01')).then('employer_deregistered');
    expect(deferralEligibility(stateOf(closed), DEFAULT_DEFERRAL_POLICY)).toMatchObject({ code: 'employer_deregistered' });
  });
});

describe('make-up overdue', () => {
  it('is not overdue up to and including the due date', () => {
    const state = stateOf([registered(), granted, ended]);
    expect(isMakeUpOverdue(state, '2023-02-28')).toBe(false);
    expect(listOverdueMakeUps(state, '2023-02-28')).toEqual([]);
  });

  it('is overdue the day after, listing who is still unpaid', () => {
    const state = stateOf([registered(), granted, ended, madeUpFor('p-1')]);
    expect(isMakeUpOverdue(state, '2023-03-01')).toBe(true);
    expect(listOverdueMakeUps(state, '2023-03-01')).toEqual([{ deferralId: 'd-2022', makeUpDueOn: '2023-02-28', outstandingEmployees: ['p-2'] }]);
  });

  it('stops being overdue once the last employee is made up late', () => {
    const history: EmployerEvent[] = [registered(), granted, ended, madeUpFor('p-1')];
    given(history)
      .when({ type: 'RecordDeferredMakeUp', deferralId: 'd-2022', personId: 'p-2', fen: 3_600_00 }, on('2023-03-10'))
      .thenState((state, [event]) => {
        expect(event?.type === 'DeferredContributionsMadeUp' && event.data.late).toBe(true);
        expect(isMakeUpOverdue(state, '2023-03-10')).toBe(false);
      });
  });
});

describe('evolveEmployer', () => {
  it('ignores a stored event for a deferral it never saw, and unknown event types', () => {
    const state = stateOf([registered()]);
    expect(evolveEmployer(state, ended)).toBe(state);
    expect(evolveEmployer(state, { type: 'Unknown', data: {} } as unknown as EmployerEvent)).toBe(state);
  });
});

describe('properties', () => {
  const people = ['p-1', 'p-2', 'p-3'];
  const commandArb: fc.Arbitrary<EmployerCommand> = fc.oneof(
    fc.constantFrom(...people).map((personId): EmployerCommand => ({ type: 'RecordEmployeeDeparture', personId, reason: 'left' })),
    fc
      .tuple(fc.constantFrom(...people), fc.integer({ min: 1, max: 1_000_00 }))
      .map(([personId, fen]): EmployerCommand => ({ type: 'RecordDeferredMakeUp', deferralId: 'd-2022', personId, fen })),
    fc.integer({ min: 1, max: 1_000_00 }).map((fen): EmployerCommand => ({ type: 'RecordDeferredMakeUp', deferralId: 'd-2022', all: true, fen })),
    fc.constant<EmployerCommand>({ type: 'EndDeferral', deferralId: 'd-2022' }),
    fc.constant<EmployerCommand>({ type: 'DeregisterEmployer' }),
  );

  it('no employee covered by a deferral departs, and the unit never deregisters, before being made up', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 15 }), (commands) => {
        let state = stateOf([registered(), granted]);
        let fenMadeUp = 0;
        for (const command of commands) {
          let events: EmployerEvent[] = [];
          try {
            events = decideEmployer(state, command, on('2022-12-01'));
          } catch (e) {
            expect(typeof (e as { code?: unknown }).code).toBe('string');
          }
          for (const event of events) {
            if (event.type === 'EmployeeDeparted') expect(canEmployeeDepart(state, event.data.personId)).toBe(true);
            if (event.type === 'EmployerDeregistered') expect(listOverdueMakeUps(state, '2099-01-01')).toEqual([]);
            if (event.type === 'DeferredContributionsMadeUp') fenMadeUp += event.data.fen;
          }
          state = events.reduce(evolveEmployer, state);
        }
        expect(state.deferrals['d-2022']?.madeUpFen).toBe(fenMadeUp);
      }),
    );
  });
});
