/** Plans and their monthly limits. Prices are shown on /pricing; Stripe price ids come from config. */
export const PLAN_IDS = ['free', 'plus', 'pro'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export interface Plan {
  id: PlanId;
  name: string;
  /** Images per UTC calendar month. */
  monthlyImages: number;
  /** Monthly price in US cents. */
  priceCents: number;
  tagline: string;
  features: string[];
}

export const PLANS: Record<PlanId, Plan> = {
  free: {
    id: 'free',
    name: 'Free',
    monthlyImages: 25,
    priceCents: 0,
    tagline: 'Try every model at no cost.',
    features: ['25 images a month', 'All models and styles', 'Private gallery', 'Full data download'],
  },
  plus: {
    id: 'plus',
    name: 'Plus',
    monthlyImages: 500,
    priceCents: 900,
    tagline: 'For regular creative work.',
    features: ['500 images a month', 'All models and styles', 'Email support', 'Cancel any time'],
  },
  pro: {
    id: 'pro',
    name: 'Pro',
    monthlyImages: 2500,
    priceCents: 2900,
    tagline: 'For studios and heavy users.',
    features: ['2,500 images a month', 'All models and styles', 'Priority generation queue', 'Cancel any time'],
  },
};

export function isPlanId(value: string): value is PlanId {
  return (PLAN_IDS as readonly string[]).includes(value);
}

export function planLimit(plan: PlanId): number {
  return PLANS[plan].monthlyImages;
}

/** The usage period a moment belongs to: its UTC calendar month, as `YYYY-MM`. */
export function usagePeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** When the usage period containing `now` ends (the first instant of the next UTC month). */
export function periodEnd(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

export function formatPrice(cents: number): string {
  return cents === 0 ? '$0' : `$${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)}`;
}
