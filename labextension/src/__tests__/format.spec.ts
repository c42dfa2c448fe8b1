import {
  assignments,
  formatDelta,
  formatTime,
  formatValue,
  humanBytes,
  shortId,
  warningText
} from '../widgets/format';

describe('formatValue', () => {
  it('prints numbers to six significant digits, integers whole', () => {
    expect(formatValue(0.9629629629)).toBe('0.962963');
    expect(formatValue(10)).toBe('10');
    expect(formatValue(1e21)).toBe('1e+21');
  });

  it('marks a missing value with a dash', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue(undefined)).toBe('—');
  });

  it('prints short series whole and long ones by their ends and length', () => {
    expect(formatValue([1, 2, 3])).toBe('[1, 2, 3]');
    expect(formatValue([0.5, 0.4, 0.3, 0.2, 0.1])).toBe('[0.5 … 0.1] (5)');
  });

  it('prints strings and booleans as they are', () => {
    expect(formatValue('adam')).toBe('adam');
    expect(formatValue(true)).toBe('true');
  });
});

describe('formatDelta', () => {
  it('signs a rise and keeps four significant digits', () => {
    expect(formatDelta(2)).toBe('+2');
    expect(formatDelta(-0.0185185)).toBe('-0.01852');
    expect(formatDelta(0)).toBe('0');
  });

  it('is empty when there is no delta', () => {
    expect(formatDelta(null)).toBe('');
    expect(formatDelta(undefined)).toBe('');
  });
});

describe('humanBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(1536)).toBe('1.5 KiB');
    expect(humanBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(humanBytes(2 * 1024 ** 4)).toBe('2.0 TiB');
  });

  it('says it does not know an unknown size', () => {
    expect(humanBytes(null)).toBe('?');
  });
});

describe('shortId and the rest', () => {
  it('shortens ids to twelve digits', () => {
    expect(shortId('0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortId(null)).toBe('-');
  });

  it('lists values sorted by name', () => {
    expect(assignments({ lr: 0.1, depth: 4 })).toBe('depth=4  lr=0.1');
  });

  it('reads a warning record or a plain string', () => {
    expect(warningText('plain')).toBe('plain');
    expect(warningText({ kind: 'k', message: 'm' })).toBe('m');
    expect(warningText({ kind: 'k' })).toBe('k');
  });

  it('leaves a time it cannot read as it is', () => {
    expect(formatTime('yesterday')).toBe('yesterday');
    expect(formatTime('2026-11-25T13:02:09.123Z')).toMatch(/2026/);
    expect(formatTime('2026-11-25T13:02:09.123Z', true)).not.toMatch(/2026/);
  });
});
