import { IGovernance, IVersionLive } from '../api';
import {
  formatAge,
  formatSlope,
  liveText,
  rulesText,
  secondsBetween
} from '../dashboard/governance/text';

describe('formatAge', () => {
  it('uses the largest whole unit', () => {
    expect(formatAge(40 * 86400)).toBe('40 d');
    expect(formatAge(5 * 3600 + 100)).toBe('5 h');
    expect(formatAge(12 * 60)).toBe('12 min');
    expect(formatAge(30)).toBe('30 s');
    expect(formatAge(null)).toBe('—');
  });
});

describe('formatSlope', () => {
  it('spells out the sign with a real minus', () => {
    expect(formatSlope(0.0123456)).toBe('+0.0123');
    expect(formatSlope(-0.03)).toBe('−0.03');
    expect(formatSlope(0)).toBe('±0');
  });
});

describe('secondsBetween', () => {
  it('counts seconds, never below zero', () => {
    expect(secondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')).toBe(
      90
    );
    expect(secondsBetween('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')).toBe(
      0
    );
  });

  it('is null without both times, or for a time it cannot read', () => {
    expect(secondsBetween(null, '2026-01-01T00:00:00Z')).toBeNull();
    expect(secondsBetween('soon', '2026-01-01T00:00:00Z')).toBeNull();
  });
});

describe('liveText', () => {
  const live: IVersionLive = {
    version: 3,
    role: 'canary',
    weight: 20,
    requests: 150,
    error_rate: 0.02,
    p95_ms: 18,
    drift_share: null,
    running: true
  };

  it('prints the live figures, a dash for a missing one', () => {
    expect(liveText(live)).toBe(
      'v3 canary 20%: 150 requests, 2.0% errors, p95 18 ms, drift —'
    );
  });

  it('says when the version is not running', () => {
    expect(liveText({ ...live, running: false })).toMatch(/\(not running\)$/);
  });
});

describe('rulesText', () => {
  it('names the thresholds in effect', () => {
    const table = {
      rules: { alias: 'production', max_drift_share: 0.5, trend_versions: 5 }
    } as IGovernance;
    const text = rulesText(table);
    expect(text).toContain('drift share ≥ 0.5');
    expect(text).toContain('newest 5 versions');
    expect(text).toContain('the production alias');
  });
});
