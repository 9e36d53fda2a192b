import fc from 'fast-check';
import { buildResidentId, makeResidentId, maskResidentId, residentIdCheckChar, validateResidentId } from './resident-id';

describe('resident ID (GB 11643-1999, ISO 7064 MOD 11-2)', () => {
  test('the standard worked example 11010519491231002X is valid, female, born 1949-12-31', () => {
    expect(validateResidentId('11010519491231002x', '2025-01-01')).toEqual({
      ok: true,
      normalized: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'female',
    });
  });
  test.each([
    ['wrong length', '4103271990010112'],
    ['letters in the body', '41032719900101A23X'],
    ['bad check character', '110105194912310021'],
    ['impossible province 99', buildResidentId('99010519491231002')],
    ['invalid date 2023-02-29', buildResidentId('41032720230229001')],
    ['birth date in the future', buildResidentId('41032720300101001')],
  ])('%s → invalid_id_number', (_label, value) => {
    const r = validateResidentId(value, '2025-01-01');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('invalid_id_number');
  });
  test('non-string input is refused', () => {
    expect(validateResidentId(410327 as unknown, '2025-01-01').ok).toBe(false);
  });
  test('leap day 2024-02-29 is a valid birth date', () => {
    expect(validateResidentId(buildResidentId('41032720240229001'), '2025-01-01')).toMatchObject({ ok: true, birthDate: '2024-02-29', sex: 'male' });
  });
  test('mask keeps first and last four', () => {
    expect(maskResidentId('410327199001011234')).toBe('4103**********1234');
  });
  test('makeResidentId builds valid numbers with the requested birth date and sex', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.constantFrom('male', 'female') as fc.Arbitrary<'male' | 'female'>, (seq, sex) => {
        const r = validateResidentId(makeResidentId('450103', '1985-07-14', seq, sex), '2025-01-01');
        return r.ok && r.birthDate === '1985-07-14' && r.sex === sex;
      }),
    );
  });
  test('every single-character change of the body is caught by the check character', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^41032719900101\d{3}$/), fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const changed = body.slice(0, pos) + String((Number(body[pos]) + delta) % 10) + body.slice(pos + 1);
        return residentIdCheckChar(changed) !== residentIdCheckChar(body);
      }),
    );
  });
});
