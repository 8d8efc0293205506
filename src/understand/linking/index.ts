export { createLinker } from './linker.ts';
export type { LinkableEntity, LinkedMention, Linker, TextSpan } from './linker.ts';
export { toLinkableEntities } from './registry-entities.ts';
export { evaluateLinking } from './evaluate-linking.ts';
export type { LabelledPost, LinkingReport } from './evaluate-linking.ts';
