/**
 * Trains the sentiment model and writes apps/server/assets/models/sentiment-zh.bin:
 *   npx tsx scripts/train-sentiment.ts            train on the training part, report held-out metrics, write
 *   npx tsx scripts/train-sentiment.ts --tune     try settings (JSON list in TUNE_GRID) on a validation part
 *                                                 carved out of the training part (held-out untouched); no write;
 *                                                 FOLDS=5 for 5-fold cross-validation over the training part
 * Data and split: scripts/lib/sentiment-data.ts (fixed, stratified 15 % held out, never trained on).
 * Model and training: scripts/lib/sentiment-train.ts. Same data → byte-identical file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeModel, MODEL_PATH } from '../apps/server/src/modules/nlp/model.ts';
import { HELD_OUT_SHARE, readReviews, seededRandom, shuffle, splitReviews } from './lib/sentiment-data.ts';
import { DEFAULTS, evaluate, evaluateFood, type Settings, train } from './lib/sentiment-train.ts';

const round = (value: number) => Math.round(value * 10000) / 10000;

function main() {
  const reviews = readReviews();
  if (!reviews) {
    console.error('找不到训练数据 ../shared/data/reviews/online_shopping_dev.csv');
    process.exit(1);
  }
  const { train: trainPart, heldOut } = splitReviews(reviews);
  console.log(`reviews ${reviews.length}: train ${trainPart.length}, held out ${heldOut.length}`);

  if (process.argv.includes('--tune')) {
    // Validation parts carved from the training part only (the held-out rows are never looked at here):
    // FOLDS=1 (default) one 10 % part; FOLDS=k k-fold cross-validation over the training part.
    const random = seededRandom(7);
    const shuffled = shuffle([...trainPart], random);
    const folds = Math.max(1, Number(process.env.FOLDS ?? 1));
    const parts =
      folds === 1
        ? [
            {
              validation: shuffled.slice(0, Math.round(shuffled.length * 0.1)),
              fit: shuffled.slice(Math.round(shuffled.length * 0.1)),
            },
          ]
        : Array.from({ length: folds }, (_, f) => {
            const from = Math.round((shuffled.length * f) / folds);
            const to = Math.round((shuffled.length * (f + 1)) / folds);
            return { validation: shuffled.slice(from, to), fit: [...shuffled.slice(0, from), ...shuffled.slice(to)] };
          });
    const grid: Partial<Settings>[] = JSON.parse(process.env.TUNE_GRID ?? '[{}]');
    for (const change of grid) {
      const settings = { ...DEFAULTS, ...change };
      const started = Date.now();
      let correct = 0;
      let total = 0;
      let f1 = 0;
      const foodMisses = new Set<string>();
      let foodAccuracy = 0;
      for (const { validation, fit } of parts) {
        const model = train(fit, settings, {});
        const metrics = evaluate(model, validation);
        correct += metrics.accuracy * validation.length;
        total += validation.length;
        f1 += metrics.macroF1 / parts.length;
        const food = evaluateFood(model);
        foodAccuracy += food.accuracy / parts.length;
        for (const miss of food.misses) foodMisses.add(miss);
      }
      const seconds = (Date.now() - started) / 1000;
      console.log(
        JSON.stringify(change),
        `val acc ${round(correct / total)} f1 ${round(f1)} food ${round(foodAccuracy)} (${seconds}s)`,
        [...foodMisses].join(' | '),
      );
    }
    return;
  }

  const started = Date.now();
  const settings = DEFAULTS;
  const model = train(trainPart, settings, {});
  const heldOutMetrics = evaluate(model, heldOut);
  const food = evaluateFood(model);
  const info = {
    data: 'online_shopping_dev.csv (category,label,review; 10 product/hotel categories)',
    split: `stratified by category and label, ${HELD_OUT_SHARE * 100}% held out (seeded), exact duplicates removed from training`,
    trainRows: trainPart.length,
    heldOutRows: heldOut.length,
    model: `logistic regression ensemble (${settings.models.join(' + ')}), AdaGrad, ${settings.epochs} epochs`,
    features: `hashed 2^${settings.bits}: char 1–${settings.maxN}-grams${settings.negation ? ', negation marks' : ''}${settings.contrast ? ', contrast marks' : ''}${settings.skip ? ', char skip-bigrams' : ''}${settings.words ? ', jieba words + word bigrams' : ''}${settings.wordNegation ? `, negated words (${settings.wordNegation} after a negator)` : ''}`,
    chosenOn:
      '5-fold cross-validation over the training part (npm exec tsx scripts/train-sentiment.ts --tune, FOLDS=5)',
    heldOut: {
      accuracy: Math.round(heldOutMetrics.accuracy * 1e5) / 1e5,
      macroF1: Math.round(heldOutMetrics.macroF1 * 1e5) / 1e5,
    },
    foodDeliverySanity: round(food.accuracy),
  };
  fs.mkdirSync(path.dirname(MODEL_PATH), { recursive: true });
  // Same weights, now with the facts in the header.
  const bytes = encodeModel({ ...model.header, info }, model.weights);
  fs.writeFileSync(MODEL_PATH, bytes);
  console.log(JSON.stringify(info, null, 2));
  console.log(`food misses: ${food.misses.join(' | ') || 'none'}`);
  console.log(
    `wrote ${path.relative(process.cwd(), MODEL_PATH)} (${(bytes.length / 2 ** 20).toFixed(2)} MiB) in ${(Date.now() - started) / 1000}s`,
  );
}

main();
