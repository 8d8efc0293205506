// Entry of a `sentiment classify` worker thread: worker threads do not inherit the main thread's
// TypeScript loader, so the model is imported through import-typescript.mjs (once per thread).
import { URL } from 'node:url';
import { importTypeScript } from '../../import-typescript.mjs';

const { loadSentimentModel } = await importTypeScript(new URL('./classifier.ts', import.meta.url));
const model = loadSentimentModel();

/** Classifies one batch of plain texts, in order. */
export default function classifyTexts(texts) {
  return texts.map((text) => model.classify(text));
}
