import { chooseBrand, outcomeForAmount, reversalPlanForPaymentAmount } from './outcome.rules';

describe('outcomeForAmount', () => {
  it.each(['100', '1500', '1501', '1502', '1503', '1504', '1511', '1599', '1'])('approves an amount ending in %s', (amount) => {
    expect(outcomeForAmount(amount)).toEqual({ plan: 'approve', answer: 'normal' });
  });

  it('declines 05, errors 06, never takes 07 and is slow on 08', () => {
    expect(outcomeForAmount('1505').plan).toBe('decline');
    expect(outcomeForAmount('1506').plan).toBe('error');
    expect(outcomeForAmount('1507').plan).toBe('never');
    expect(outcomeForAmount('1508').plan).toBe('slow');
  });

  it('loses the answer on 09 but still approves the payment', () => {
    expect(outcomeForAmount('1509')).toEqual({ plan: 'approve', answer: 'lost' });
  });

  it('answers unavailable on 10', () => {
    expect(outcomeForAmount('1510').answer).toBe('unavailable');
  });

  it('reads single-digit amounts as if padded with zeros', () => {
    expect(outcomeForAmount('5').plan).toBe('decline');
    expect(outcomeForAmount('9').answer).toBe('lost');
  });
});

describe('reversalPlanForPaymentAmount', () => {
  it('declines 15, errors 16, never takes 17 and reverses anything else', () => {
    expect(reversalPlanForPaymentAmount('1515')).toBe('decline');
    expect(reversalPlanForPaymentAmount('1516')).toBe('error');
    expect(reversalPlanForPaymentAmount('1517')).toBe('never');
    expect(reversalPlanForPaymentAmount('1500')).toBe('approve');
    expect(reversalPlanForPaymentAmount('1505')).toBe('approve');
  });
});

describe('chooseBrand', () => {
  it('defaults to Visa', () => {
    expect(chooseBrand(null, '1500')).toBe('VI');
  });

  it('picks AMEX when the last three digits are 7xx', () => {
    expect(chooseBrand(null, '1700')).toBe('AM');
    expect(chooseBrand(null, '799')).toBe('AM');
    expect(chooseBrand(null, '17000')).toBe('VI');
  });

  it('keeps the brand the request asked for, even on a 7xx amount', () => {
    expect(chooseBrand('AM', '1500')).toBe('AM');
    expect(chooseBrand('MC', '1700')).toBe('MC');
  });
});
