import type { CreditLevel } from '../types.js';

/** What the monitor remembers about one key between checks. */
export interface AlertState {
  /** Most severe level alerted in the current incident; null when there is none. */
  incident: 'warning' | 'critical' | null;
  /** When the last alert of the incident was sent. */
  lastAlertAtMs: number | null;
  /** Level of the previous check. */
  previous: CreditLevel;
}

export const INITIAL_ALERT_STATE: AlertState = Object.freeze({ incident: null, lastAlertAtMs: null, previous: 'unknown' });

export interface AlertDecision {
  state: AlertState;
  /** The alert to send now, if any. */
  alert: 'warning' | 'critical' | 'recovered' | null;
  /** The alert repeats one already sent in this incident (the cooldown passed). */
  reminder: boolean;
}

const SEVERITY = { warning: 1, critical: 2 } as const;

/**
 * One incident, one alert. An incident starts when a key falls to warning or critical and ends when it is back to
 * ok (a `recovered` alert, unless disabled, and the state resets: a later fall is a new incident). Within an incident:
 * getting worse (warning → critical) alerts at once; getting better or staying alerts nothing, except a reminder of
 * the current level once `cooldownMs` has passed since the last alert. `unknown` (a check that could not tell)
 * changes nothing.
 */
export function decideAlert(
  state: AlertState,
  level: CreditLevel,
  nowMs: number,
  options: { cooldownMs: number; notifyRecovery: boolean },
): AlertDecision {
  if (level === 'unknown') return { state, alert: null, reminder: false };
  if (level === 'ok') {
    const alert = state.incident !== null && options.notifyRecovery ? 'recovered' : null;
    return { state: { incident: null, lastAlertAtMs: null, previous: 'ok' }, alert, reminder: false };
  }
  if (state.incident === null || SEVERITY[level] > SEVERITY[state.incident]) {
    return { state: { incident: level, lastAlertAtMs: nowMs, previous: level }, alert: level, reminder: false };
  }
  if (state.lastAlertAtMs !== null && nowMs - state.lastAlertAtMs >= options.cooldownMs) {
    return { state: { ...state, lastAlertAtMs: nowMs, previous: level }, alert: level, reminder: true };
  }
  return { state: { ...state, previous: level }, alert: null, reminder: false };
}
