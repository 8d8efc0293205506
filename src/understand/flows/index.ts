export { extractFlows } from './extract-flows.ts';
export { Flow, FlowKind, FLOW_KINDS, type FlowMention } from './types.ts';
export { mentionOccurrences } from './mentions.ts';
export { mayStateFlow, MOVEMENT_CUE } from './cue.ts';
