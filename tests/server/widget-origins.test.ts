/**
 * Origin rules of widget keys: exact origins and "*." subdomain rules, matched the way a
 * browser's Origin header spells a page's origin.
 */
import { describe, expect, it } from 'vitest';
import {
  normalizeOriginRule,
  originAllowed,
  originRuleMatches,
  parseOriginRule
} from '../../server/widget/origins';

describe('subdomain rules', () => {
  const rule = normalizeOriginRule('*.corp.example');

  it('default to https and keep one spelling', () => {
    expect(rule).toBe('https://*.corp.example');
    expect(normalizeOriginRule('HTTPS://*.Corp.Example/')).toBe('https://*.corp.example');
    expect(normalizeOriginRule('http://*.corp.example:8080')).toBe('http://*.corp.example:8080');
  });

  it('match subdomains at any depth', () => {
    expect(originRuleMatches(rule, 'https://wiki.corp.example')).toBe(true);
    expect(originRuleMatches(rule, 'https://a.b.corp.example')).toBe(true);
  });

  it('do not match look-alikes, other suffixes, the apex, another scheme or port', () => {
    expect(originRuleMatches(rule, 'https://evilcorp.example')).toBe(false);
    expect(originRuleMatches(rule, 'https://corp.example.evil.com')).toBe(false);
    expect(originRuleMatches(rule, 'https://wiki.corp.example.evil.com')).toBe(false);
    expect(originRuleMatches(rule, 'https://corp.example')).toBe(false);
    expect(originRuleMatches(rule, 'http://wiki.corp.example')).toBe(false);
    expect(originRuleMatches(rule, 'https://wiki.corp.example:8443')).toBe(false);
    expect(originRuleMatches(rule, 'https://.corp.example')).toBe(false);
  });

  it('refuse rules that would cover a whole top-level domain or everything', () => {
    expect(typeof parseOriginRule('*.com')).toBe('string');
    expect(typeof parseOriginRule('https://*.com')).toBe('string');
    expect(typeof parseOriginRule('*')).toBe('string');
    expect(typeof parseOriginRule('https://wiki.*.example')).toBe('string');
    expect(typeof parseOriginRule('https://*corp.example')).toBe('string');
  });
});

describe('exact origins', () => {
  it('match only themselves, default ports folded', () => {
    const rule = normalizeOriginRule('https://Wiki.Corp.Example:443');
    expect(rule).toBe('https://wiki.corp.example');
    expect(originRuleMatches(rule, 'https://wiki.corp.example')).toBe(true);
    expect(originRuleMatches(rule, 'https://docs.corp.example')).toBe(false);
    expect(originRuleMatches(rule, 'http://wiki.corp.example')).toBe(false);
    expect(
      originRuleMatches(normalizeOriginRule('http://localhost:5173'), 'http://localhost:5173')
    ).toBe(true);
    expect(
      originRuleMatches(normalizeOriginRule('http://localhost:5173'), 'http://localhost:5174')
    ).toBe(false);
  });

  it('refuse paths, other schemes, credentials and bare hosts', () => {
    for (const bad of [
      'https://wiki.corp.example/page',
      'ftp://wiki.corp.example',
      'javascript:alert(1)',
      'https://user:pw@wiki.corp.example',
      'wiki.corp.example',
      ''
    ])
      expect(typeof parseOriginRule(bad), bad).toBe('string');
  });

  it('never match what a browser would not send as an origin', () => {
    const rules = ['https://wiki.corp.example'];
    expect(originAllowed(rules, undefined)).toBe(false);
    expect(originAllowed(rules, 'null')).toBe(false);
    expect(originAllowed(rules, 'https://wiki.corp.example/')).toBe(false);
    expect(originAllowed(rules, 'https://wiki.corp.example/x')).toBe(false);
  });

  it('compare internationalized names in their ASCII form', () => {
    const rule = normalizeOriginRule('https://*.例子.example');
    expect(rule).toBe('https://*.xn--fsqu00a.example');
    expect(originRuleMatches(rule, 'https://wiki.xn--fsqu00a.example')).toBe(true);
  });
});
