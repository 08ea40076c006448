import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { HearthError } from '../errors.ts';

/**
 * The password rules (NIST SP 800-63B): at least MIN_LENGTH characters, at most
 * MAX_LENGTH; not on zxcvbn's lists of common and breached passwords; not built
 * from the username or the person's name; zxcvbn score at least MIN_SCORE.
 */
export const PASSWORD_RULES = { minLength: 8, maxLength: 256, minScore: 3, minOwnChars: 4 } as const;

let factory: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return factory;
}

/** The pieces of a person's names a password must not be built from (3 characters or more). */
function inputsOf(userInputs: string[]): string[] {
  const parts = new Set<string>();
  for (const raw of userInputs) {
    const v = raw.trim().toLowerCase();
    if (v.length >= 3) parts.add(v);
    for (const p of v.split(/[^\p{L}\p{N}]+/u)) if (p.length >= 3) parts.add(p);
  }
  return [...parts].sort((a, b) => b.length - a.length);
}

/** Why a password is refused, or null when it is acceptable. userInputs: username, display name, organisation. */
export function passwordProblem(password: string, userInputs: string[]): string | null {
  const chars = [...password];
  if (chars.length < PASSWORD_RULES.minLength) return `a password needs at least ${PASSWORD_RULES.minLength} characters`;
  if (chars.length > PASSWORD_RULES.maxLength) return `a password may have at most ${PASSWORD_RULES.maxLength} characters`;
  const inputs = inputsOf(userInputs);
  const r = zxcvbn().check(password, inputs);
  if (r.score < PASSWORD_RULES.minScore) {
    const why = r.feedback.warning ? ` (${String(r.feedback.warning).replace(/([A-Z])/g, ' $1').toLowerCase().trim()})` : '';
    return `the password is too easy to guess${why}; a few unrelated words together are strong and memorable`;
  }
  // Once the names are taken out, what is left (letters only) must still be the person's own.
  const letters = (s: string): number => [...s.replace(/[^\p{L}]+/gu, '')].length;
  let own = password.toLowerCase();
  for (const p of inputs) own = own.split(p).join(' ');
  if (own !== password.toLowerCase() && letters(own) < PASSWORD_RULES.minOwnChars) {
    return 'the password is built from the username or name; choose one of your own';
  }
  return null;
}

/** Throw HEARTH_ERR_PASSWORD_WEAK unless the password passes the rules. */
export function assertStrongPassword(password: string, userInputs: string[]): void {
  const problem = passwordProblem(password, userInputs);
  if (problem) throw new HearthError('HEARTH_ERR_PASSWORD_WEAK', problem);
}
