// Entry of a `sentiment classify` worker thread. Worker threads do not inherit the main thread's
// TypeScript loader, so each registers tsx before loading the model (once per thread).
import { register } from 'tsx/esm/api';

register();
const { loadSentimentModel } = await import('./classifier.ts');
const model = loadSentimentModel();

/** Classifies one batch of plain texts, in order. */
export default function classifyTexts(texts) {
  return texts.map((text) => model.classify(text));
}
