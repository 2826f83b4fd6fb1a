import { describeValue, InvalidPropError } from '../../src/common/errors';

describe('InvalidPropError', () => {
  test.each([
    ['NaN', NaN, 'NaN'],
    ['Infinity', Infinity, 'Infinity'],
    ['minus Infinity', -Infinity, '-Infinity'],
    ['NaN inside an object', { replicas: NaN }, '{"replicas":NaN}'],
    ['NaN inside a list', [1, NaN], '[1,NaN]'],
    ['undefined', undefined, 'undefined'],
    ['a string', 'Europe', '"Europe"'],
    ['a number', 0, '0'],
    ['null', null, 'null'],
    ['a bigint', BigInt(7), '7'],
  ])('prints %s as the user wrote it', (_case, value, printed) => {
    // Given a bad value, when the error is built, then the message shows the value itself
    expect(new InvalidPropError('logs.maxUnavailable', value, 'anything').message)
      .toBe(`Invalid logs.maxUnavailable: ${printed}. Allowed: anything.`);
  });

  test('a value with a cycle is still described instead of failing', () => {
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
  });
});
