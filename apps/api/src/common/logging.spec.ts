import { maskIdNumbersIn } from './logging';

describe('maskIdNumbersIn', () => {
  it('masks every resident ID number in a log line, including an X check character', () => {
    expect(maskIdNumbersIn('/v1/persons?idNumber=11010519491231002X&x=1')).toBe('/v1/persons?idNumber=1101**********002X&x=1');
    expect(maskIdNumbersIn('a 410327199001011234 b 450102200012125679')).toBe('a 4103**********1234 b 4501**********5679');
  });

  it('leaves shorter numbers such as amounts and region codes alone', () => {
    expect(maskIdNumbersIn('region 410327 paid 38000 fen')).toBe('region 410327 paid 38000 fen');
  });
});
