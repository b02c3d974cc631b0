/**
 * The review data set (/work/shared/data/reviews/online_shopping_dev.csv: category,label,review; label 1 = positive)
 * and its fixed held-out split, shared by scripts/train-sentiment.ts and bench/sentiment.bench.ts so the bench
 * measures exactly the rows training never saw. Dev-only: the product never reads this.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export type Review = { category: string; label: 0 | 1; text: string };

export const REVIEWS_CSV = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/data/reviews/online_shopping_dev.csv',
);

/** Share of every (category, label) group held out for evaluation. */
export const HELD_OUT_SHARE = 0.15;
const SPLIT_SEED = 20_260_401;

/** A small deterministic PRNG (mulberry32): the same seed always gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export function readReviews(file = REVIEWS_CSV): Review[] | null {
  if (!fs.existsSync(file)) return null;
  const rows = parse(fs.readFileSync(file), { columns: true, relax_quotes: true, skip_empty_lines: true }) as {
    category: string;
    label: string;
    review: string;
  }[];
  return rows
    .filter((row) => row.review && (row.label === '0' || row.label === '1'))
    .map((row) => ({ category: row.category, label: row.label === '1' ? 1 : 0, text: row.review }));
}

/**
 * The fixed split: HELD_OUT_SHARE of each (category, label) group, chosen with a fixed seed, is held out.
 * Training rows whose text also occurs in the held-out part (exact duplicates) are dropped from training.
 */
export function splitReviews(reviews: Review[]): { train: Review[]; heldOut: Review[] } {
  const groups = new Map<string, Review[]>();
  for (const review of reviews) {
    const key = `${review.category}\u0001${review.label}`;
    const group = groups.get(key) ?? [];
    group.push(review);
    groups.set(key, group);
  }
  const random = seededRandom(SPLIT_SEED);
  const train: Review[] = [];
  const heldOut: Review[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = shuffle([...(groups.get(key) ?? [])], random);
    const cut = Math.round(group.length * HELD_OUT_SHARE);
    heldOut.push(...group.slice(0, cut));
    train.push(...group.slice(cut));
  }
  const heldOutTexts = new Set(heldOut.map((review) => review.text));
  return { train: train.filter((review) => !heldOutTexts.has(review.text)), heldOut };
}

/** Accuracy and macro-F1 (mean of the positive and negative classes' F1). */
export function classificationMetrics(truth: (0 | 1)[], predicted: (0 | 1)[]) {
  let correct = 0;
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  truth.forEach((label, i) => {
    const guess = predicted[i];
    if (guess === label) correct++;
    if (guess === 1 && label === 1) counts.tp++;
    else if (guess === 1 && label === 0) counts.fp++;
    else if (guess === 0 && label === 1) counts.fn++;
    else counts.tn++;
  });
  const f1 = (tp: number, fp: number, fn: number) => (tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  const macroF1 = (f1(counts.tp, counts.fp, counts.fn) + f1(counts.tn, counts.fn, counts.fp)) / 2;
  return { accuracy: correct / truth.length, macroF1 };
}
