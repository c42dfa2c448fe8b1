import { parseParams, parseScalar, parseSweep } from '../widgets/run/params';

describe('parseScalar', () => {
  it('types numbers and booleans as the CLI does', () => {
    expect(parseScalar('3')).toBe(3);
    expect(parseScalar('-0.5e-3')).toBe(-0.0005);
    expect(parseScalar('.1')).toBe(0.1);
    expect(parseScalar('True')).toBe(true);
    expect(parseScalar('false')).toBe(false);
  });

  it('keeps anything else a string', () => {
    expect(parseScalar('adam')).toBe('adam');
    expect(parseScalar('1.2.3')).toBe('1.2.3');
    expect(parseScalar(' 0x10 ')).toBe('0x10');
  });
});

describe('parseParams', () => {
  it('reads NAME=VALUE items split by spaces or semicolons', () => {
    expect(parseParams('lr=0.1 epochs=5; opt=adam')).toEqual({
      lr: 0.1,
      epochs: 5,
      opt: 'adam'
    });
    expect(parseParams('  ')).toEqual({});
  });

  it('says how to write an item without a name', () => {
    expect(() => parseParams('lr')).toThrow('"lr": write NAME=VALUE');
    expect(() => parseParams('=3')).toThrow('write NAME=VALUE');
  });
});

describe('parseSweep', () => {
  it('reads NAME=V1,V2 items', () => {
    expect(parseSweep('lr=0.1,0.01; depth=2,4')).toEqual({
      lr: [0.1, 0.01],
      depth: [2, 4]
    });
  });

  it('says how to write an item without values', () => {
    expect(() => parseSweep('lr=')).toThrow('"lr=": write NAME=V1,V2,...');
  });
});
