/**
 * From matching rules to at most one offer: the controls that keep Beckon from annoying
 * people (DESIGN.md "Journey and rules"). Pure: the caller passes the visitor's offer history,
 * the moment, and what the server knows right now (free operator slots, typing, tabs).
 */
import type { BusinessHours, EngagementSettings, HoldReason, Rule, Variant } from '@beckon/protocol';
import { NEVER } from './compile';
import { isOpen, nextHoursChange } from './hours';
import { inHoldout, pickVariant } from './hash';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One earlier offer (or recorded holdout) of this visitor. */
export interface OfferRecord {
  ruleId: string | null;
  at: number;
  sessionStartedAt: number;
  dismissedAt: number | null;
  holdout: boolean;
}

export interface DecideInput {
  now: number;
  visitorId: string;
  /** matching rules, highest priority first (Engine.match) */
  matching: readonly Rule[];
  /** this visitor's offers, any order; the server keeps the last ones (bounded) */
  history: readonly OfferRecord[];
  sessionStartedAt: number;
  /** an offer is on screen now */
  showing: boolean;
  chatting: boolean;
  /** typing in the chat until this moment */
  typingUntil: number;
  /** some tab of the visitor is visible */
  visible: boolean;
  /** operator slots free now, minus invitations waiting for an answer */
  freeSlots: number;
  engagement: EngagementSettings;
  hours: BusinessHours;
}

export interface Decision {
  show: { rule: Rule; variant: Variant } | null;
  /** would-be offers for visitors in a holdout: record them */
  holdouts: { rule: Rule; variant: Variant }[];
  held: { ruleId: string; reason: HoldReason }[];
  /** decide again then at the latest (Infinity: only when something happens) */
  wakeAt: number;
}

export function decide(d: DecideInput): Decision {
  const out: Decision = { show: null, holdouts: [], held: [], wakeAt: NEVER };
  if (!d.matching.length) return out;
  const holdAll = (reason: HoldReason, until = NEVER) => {
    for (const r of d.matching) out.held.push({ ruleId: r.id, reason });
    out.wakeAt = Math.min(out.wakeAt, until);
    return out;
  };
  // the visitor's moment: one offer at a time, not while chatting or typing, only in a visible tab
  if (d.showing) return holdAll('showing_other');
  if (d.chatting) return holdAll('chatting');
  if (d.typingUntil > d.now) return holdAll('typing', d.typingUntil);
  if (!d.visible) return holdAll('tab_hidden');

  const shown = d.history.filter((o) => !o.holdout);
  const e = d.engagement;
  if (shown.filter((o) => o.sessionStartedAt === d.sessionStartedAt).length >= e.perSession) return holdAll('session_cap');
  const today = shown.filter((o) => o.at > d.now - DAY);
  if (today.length >= e.perDay) return holdAll('daily_cap', Math.min(...today.map((o) => o.at)) + DAY + 1);
  const lastDismissal = Math.max(-1, ...d.history.map((o) => o.dismissedAt ?? -1));
  if (lastDismissal >= 0 && lastDismissal + e.cooldownMinutes * MINUTE > d.now) return holdAll('cooldown', lastDismissal + e.cooldownMinutes * MINUTE);

  const open = isOpen(d.hours, d.now);
  for (const rule of d.matching) {
    if (out.show) {
      out.held.push({ ruleId: rule.id, reason: 'lower_priority' });
      continue;
    }
    const reason = ruleHold(d, rule, open, out);
    if (reason) {
      out.held.push({ ruleId: rule.id, reason });
      continue;
    }
    const variant = pickVariant(d.visitorId, rule.id, rule.variants);
    if (inHoldout(d.visitorId, rule.id, rule.controls.holdoutPercent)) {
      out.holdouts.push({ rule, variant });
      out.held.push({ ruleId: rule.id, reason: 'holdout' });
      continue;
    }
    if (rule.kind === 'invite' && rule.controls.needsOperator && d.freeSlots < 1) {
      out.held.push({ ruleId: rule.id, reason: 'no_free_operator' });
      continue;
    }
    out.show = { rule, variant };
  }
  return out;
}

function ruleHold(d: DecideInput, rule: Rule, open: boolean, out: Decision): HoldReason | null {
  const mine = d.history.filter((o) => o.ruleId === rule.id);
  const c = rule.controls;
  const repeatBlocked =
    c.repeat === 'once' ? mine.length > 0 : c.repeat === 'session' ? mine.some((o) => o.sessionStartedAt === d.sessionStartedAt) : mine.some((o) => o.at > d.now - DAY);
  if (repeatBlocked) {
    if (c.repeat === 'day') out.wakeAt = Math.min(out.wakeAt, Math.max(...mine.map((o) => o.at)) + DAY + 1);
    // a visitor in the holdout stays explained as such
    return mine.some((o) => o.holdout) && inHoldout(d.visitorId, rule.id, c.holdoutPercent) ? 'holdout' : 'already_shown';
  }
  const dismissed = Math.max(-1, ...mine.map((o) => o.dismissedAt ?? -1));
  if (dismissed >= 0 && dismissed + c.cooldownMinutes * MINUTE > d.now) {
    out.wakeAt = Math.min(out.wakeAt, dismissed + c.cooldownMinutes * MINUTE);
    return 'rule_cooldown';
  }
  if (c.schedule !== 'always') {
    out.wakeAt = Math.min(out.wakeAt, nextHoursChange(d.hours, d.now));
    if ((c.schedule === 'business_hours') !== open) return 'outside_hours';
  }
  return null;
}
