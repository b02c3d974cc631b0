/**
 * sentiment: the committed model (apps/server/assets/models/sentiment-zh.bin) on the held-out part of the review
 * data set (scripts/lib/sentiment-data.ts: fixed, stratified 15 %, never trained on): accuracy, macro-F1, and
 * latency per message through scoreSentiment (normalisation + features + scoring, one core, fastest of 3 passes
 * after a warm-up); plus the hand-written food-delivery sanity set (another domain, target ≥ 0.87).
 *
 * Reference, same run: a plain bag-of-character-n-grams baseline (hashed character 1–3-grams, binary, one
 * logistic regression; no words, no negation marks, no NB scaling), trained here on the same training part.
 *
 * Needs ../shared/data/reviews/online_shopping_dev.csv (relative to the repository root); without it the
 * benchmark stops with a message saying so.
 */
import { performance } from 'node:perf_hooks';
import { FOOD_DELIVERY_SANITY } from '../apps/server/src/modules/nlp/food-delivery-sanity.ts';
import { scoreSentiment, sentimentModel } from '../apps/server/src/modules/nlp/index.ts';
import { classificationMetrics, REVIEWS_CSV, readReviews, splitReviews } from '../scripts/lib/sentiment-data.ts';
import { DEFAULTS, evaluate, evaluateFood, train } from '../scripts/lib/sentiment-train.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const PASSES = 3;

/**
 * Time per message over all texts, in PASSES passes after a warm-up; the fastest pass counts (on a shared machine
 * the slower passes measure the neighbours, not the code).
 */
function latency(texts: string[], score: (text: string) => unknown) {
  for (const text of texts.slice(0, 2000)) score(text);
  let best = { usPerMsg: Number.POSITIVE_INFINITY, p99Us: Number.NaN };
  for (let pass = 0; pass < PASSES; pass++) {
    const times: number[] = [];
    const started = performance.now();
    for (const text of texts) {
      const before = performance.now();
      score(text);
      times.push(performance.now() - before);
    }
    const usPerMsg = ((performance.now() - started) / texts.length) * 1000;
    if (usPerMsg < best.usPerMsg) best = { usPerMsg, p99Us: quantile(times, 0.99) * 1000 };
  }
  return best;
}

export async function run(): Promise<BenchResult> {
  const reviews = readReviews();
  if (!reviews) {
    throw new Error(`sentiment bench skipped: the review data set is not there (${REVIEWS_CSV})`);
  }
  const { train: trainPart, heldOut } = splitReviews(reviews);
  const texts = heldOut.map((review) => review.text);

  const loadStarted = performance.now();
  const model = sentimentModel();
  const loadMs = performance.now() - loadStarted;
  const predicted = heldOut.map((review) => (scoreSentiment(review.text).label === 'positive' ? 1 : 0) as 0 | 1);
  const metrics = classificationMetrics(
    heldOut.map((review) => review.label),
    predicted,
  );
  const food = evaluateFood(model);
  const speed = latency(texts, scoreSentiment);
  console.log(`  model: ${JSON.stringify(model.header.info)}`);
  if (food.misses.length > 0) console.log(`  food-delivery misses: ${food.misses.join(' | ')}`);

  console.log('  training the plain character n-gram baseline…');
  const baseline = train(
    trainPart,
    // The same plain baseline as always: 2^20 hashed character n-grams in int16, no words, no negation.
    {
      ...DEFAULTS,
      bits: 20,
      weightBits: 16,
      maxN: 3,
      words: false,
      wordNegation: 0,
      negation: false,
      models: ['plain'],
    },
    {},
  );
  const baselineMetrics = evaluate(baseline, heldOut);
  const baselineFood = evaluateFood(baseline);
  const baselineSpeed = latency(texts, (text) => baseline.score(text));

  return {
    dataset: {
      file: 'online_shopping_dev.csv',
      train_rows: trainPart.length,
      held_out_rows: heldOut.length,
      held_out_correct: predicted.filter((label, i) => label === heldOut[i]?.label).length,
      food_delivery_sentences: FOOD_DELIVERY_SANITY.length,
      model_bytes: model.weights.byteLength,
    },
    metrics: {
      accuracy: round(metrics.accuracy, 5),
      macro_f1: round(metrics.macroF1, 5),
      food_delivery_accuracy: round(food.accuracy, 4),
      us_per_msg: round(speed.usPerMsg, 1),
      ms_per_msg: round(speed.usPerMsg / 1000, 4),
      p99_us: round(speed.p99Us, 1),
      model_load_ms: round(loadMs, 1),
    },
    reference: {
      baseline_accuracy: round(baselineMetrics.accuracy, 5),
      baseline_macro_f1: round(baselineMetrics.macroF1, 4),
      baseline_food_delivery_accuracy: round(baselineFood.accuracy, 4),
      baseline_us_per_msg: round(baselineSpeed.usPerMsg, 1),
    },
    targets: [
      { metric: 'accuracy', op: '>=', value: 0.94 },
      { metric: 'ms_per_msg', op: '<=', value: 0.2 },
      { metric: 'food_delivery_accuracy', op: '>=', value: 0.87 },
    ],
  };
}
